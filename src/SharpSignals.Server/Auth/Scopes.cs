namespace SharpSignals.Server.Auth;

/// <summary>The scopes of docs/API.md, "Authorization".</summary>
internal static class Scopes
{
    /// <summary>Everything, in every project: only the admin token has it.</summary>
    public const string Admin = "admin";

    /// <summary>Create, change and delete own streams; status, subjects, verification, poll.</summary>
    public const string Manage = "ssf.manage";

    /// <summary>Read own streams and status; poll.</summary>
    public const string Read = "ssf.read";

    /// <summary>Publish events into the caller's project.</summary>
    public const string Publish = "event.publish";

    /// <summary>The scopes a client may register for.</summary>
    public static readonly IReadOnlyList<string> Registrable = [Manage, Read, Publish];
}
