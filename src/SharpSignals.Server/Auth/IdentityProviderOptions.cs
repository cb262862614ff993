namespace SharpSignals.Server.Auth;

/// <summary>
/// The <c>SharpSignals:IdentityProvider</c> section (docs/CONFIGURATION.md, "Identity provider"):
/// bearer tokens (JWTs) from the organisation's OpenID Connect provider, accepted beside the admin
/// token and this server's own access tokens. Off while neither <see cref="Authority"/> nor
/// <see cref="MetadataAddress"/> is set.
/// </summary>
internal sealed record IdentityProviderOptions
{
    public const string Section = "SharpSignals:IdentityProvider";

    /// <summary>The provider's issuer URL; its metadata is read from <c>/.well-known/openid-configuration</c> under it.</summary>
    public string? Authority { get; init; }

    /// <summary>The provider's metadata document, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; init; }

    /// <summary>The <c>aud</c> a token must carry to be accepted here.</summary>
    public string? Audience { get; init; }

    /// <summary>The claim that makes a caller the admin when it holds <see cref="AdminValue"/> (roles, groups).</summary>
    public string? AdminClaim { get; init; }

    /// <summary>The value of <see cref="AdminClaim"/> that means admin.</summary>
    public string? AdminValue { get; init; }

    /// <summary>The claim that names the one project a caller acts in (a string, or an array of one).</summary>
    public string? ProjectsClaim { get; init; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress);
}
