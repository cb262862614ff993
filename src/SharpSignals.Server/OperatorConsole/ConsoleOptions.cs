using System.ComponentModel.DataAnnotations;
using SharpSignals.Server.OperatorConsole.SignIn;

namespace SharpSignals.Server.OperatorConsole;

/// <summary>The <c>SharpSignals:Console</c> section (docs/CONFIGURATION.md, "Operator console").</summary>
internal sealed record ConsoleOptions
{
    public const string Section = "SharpSignals:Console";

    /// <summary>Serve the operator console at <c>/console</c>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// When set, the console answers only on connections to this local port (list it in
    /// <c>--urls</c> too) and is 404 on every other, so it can be kept off the public listener.
    /// </summary>
    [Range(1, 65535)]
    public int? Port { get; init; }

    /// <summary>How long a console session lasts without a request before it must sign in again.</summary>
    [Range(1, 10080)]
    public int SessionIdleMinutes { get; init; } = 60;

    /// <summary>The longest a console session lasts, however busy, before it must sign in again.</summary>
    [Range(1, 10080)]
    public int SessionMaxMinutes { get; init; } = 720;

    /// <summary>Sign-in through the organisation's OpenID Connect provider, beside the admin token; off unless its authority is set.</summary>
    public ConsoleOpenIdConnectOptions OpenIdConnect { get; init; } = new();
}
