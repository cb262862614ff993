namespace SharpSignals.Tokens.Sets;

/// <summary>SET claim names (RFC 8417 §2.2, RFC 9493 §4.1).</summary>
public static class SetClaimNames
{
    /// <summary>Issuer.</summary>
    public const string Issuer = "iss";

    /// <summary>Audience.</summary>
    public const string Audience = "aud";

    /// <summary>Issued at.</summary>
    public const string IssuedAt = "iat";

    /// <summary>Token identifier.</summary>
    public const string Jti = "jti";

    /// <summary>Transaction identifier.</summary>
    public const string Txn = "txn";

    /// <summary>Time of event.</summary>
    public const string TimeOfEvent = "toe";

    /// <summary>Subject identifier.</summary>
    public const string SubjectId = "sub_id";

    /// <summary>The events.</summary>
    public const string Events = "events";

    /// <summary>Subject; SSF 1.0 §4.1.2 forbids it in SETs.</summary>
    public const string Subject = "sub";

    /// <summary>Expiry; SSF 1.0 §4.1.2 forbids it in SETs.</summary>
    public const string Expires = "exp";
}
