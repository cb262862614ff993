using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Auth;

/// <summary>The identity provider's settings, checked at start so that a mistake stops the server rather than the first request.</summary>
internal sealed class IdentityProviderOptionsValidator(IOptions<ServerOptions> server) : IValidateOptions<IdentityProviderOptions>
{
    private const string Prefix = IdentityProviderOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, IdentityProviderOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        CheckUrl(errors, nameof(options.Authority), options.Authority);
        CheckUrl(errors, nameof(options.MetadataAddress), options.MetadataAddress);
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add($"{Prefix}Audience is required: without it a token the provider issued for another service would be accepted here.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminClaim) != string.IsNullOrWhiteSpace(options.AdminValue))
        {
            errors.Add($"{Prefix}AdminClaim and {Prefix}AdminValue are set together.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminClaim) && string.IsNullOrWhiteSpace(options.ProjectsClaim))
        {
            errors.Add($"Set {Prefix}AdminClaim and AdminValue, {Prefix}ProjectsClaim, or both: otherwise no token grants anything.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void CheckUrl(List<string> errors, string setting, string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{Prefix}{setting} '{url}' must be an absolute https URL.");
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && !server.Value.AllowInsecureHttp)
        {
            // The provider's keys decide who is admin: they are read over https only (OpenID Connect Discovery 1.0 §4).
            errors.Add($"{Prefix}{setting} '{url}' must use https (set SharpSignals:AllowInsecureHttp for development).");
        }
    }
}
