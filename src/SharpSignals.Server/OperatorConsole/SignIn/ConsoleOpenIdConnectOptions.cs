namespace SharpSignals.Server.OperatorConsole.SignIn;

/// <summary>
/// The <c>SharpSignals:Console:OpenIdConnect</c> section (docs/CONFIGURATION.md, "Operator console"):
/// signing in to the console through the organisation's OpenID Connect provider, beside the admin
/// token. Off while <see cref="Authority"/> is not set. What a user may see comes from the
/// <c>SharpSignals:IdentityProvider</c> claim mapping (<c>AdminClaim</c>, <c>AdminValue</c>,
/// <c>ProjectsClaim</c>), the same one bearer tokens are read with.
/// </summary>
internal sealed record ConsoleOpenIdConnectOptions
{
    /// <summary>The provider's issuer URL; its metadata is read from <c>/.well-known/openid-configuration</c> under it.</summary>
    public string? Authority { get; init; }

    /// <summary>This server's client id at the provider.</summary>
    public string? ClientId { get; init; }

    /// <summary>This server's client secret at the provider (it is a confidential client: the code is exchanged on the server).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The scopes asked for, space-separated; <c>openid</c> among them.</summary>
    public string Scopes { get; init; } = "openid profile email";

    /// <summary>The provider's name on the sign-in button ("Sign in with …"); the authority's host when not set.</summary>
    public string? DisplayName { get; init; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The name shown for the provider.</summary>
    public string ProviderName =>
        DisplayName is { Length: > 0 } name ? name
        : Uri.TryCreate(Authority, UriKind.Absolute, out var authority) ? authority.Host
        : "the identity provider";
}
