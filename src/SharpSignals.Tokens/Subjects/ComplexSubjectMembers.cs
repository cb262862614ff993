namespace SharpSignals.Tokens.Subjects;

/// <summary>The member names SSF 1.0 §3.3 defines for complex subjects (others are allowed).</summary>
public static class ComplexSubjectMembers
{
    /// <summary>The user.</summary>
    public const string User = "user";

    /// <summary>The device.</summary>
    public const string Device = "device";

    /// <summary>The session.</summary>
    public const string Session = "session";

    /// <summary>The application.</summary>
    public const string Application = "application";

    /// <summary>The tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>The organizational unit.</summary>
    public const string OrgUnit = "org_unit";

    /// <summary>The group.</summary>
    public const string Group = "group";
}
