using System.Net;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.OperatorConsole.SignIn;

/// <summary>The console's OpenID Connect settings, checked at start so that a mistake stops the server rather than the first sign-in.</summary>
internal sealed class ConsoleOpenIdConnectValidator(IOptions<ServerOptions> server, IOptions<IdentityProviderOptions> provider) : IValidateOptions<ConsoleOptions>
{
    private const string Prefix = ConsoleOptions.Section + ":" + nameof(ConsoleOptions.OpenIdConnect) + ":";

    private const string Mapping = IdentityProviderOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var settings = options.OpenIdConnect;
        if (!options.Enabled || !settings.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{Prefix}Authority '{settings.Authority}' must be an absolute https URL.");
        }
        else if (authority.Scheme != Uri.UriSchemeHttps && !IsLoopback(authority) && !server.Value.AllowInsecureHttp)
        {
            // The provider's metadata and keys decide who signs in: https only, but for a provider on
            // this machine (OpenID Connect Discovery 1.0 §4).
            errors.Add($"{Prefix}Authority '{settings.Authority}' must use https unless it is on this machine (set SharpSignals:AllowInsecureHttp for development).");
        }

        if (string.IsNullOrWhiteSpace(settings.ClientId))
        {
            errors.Add($"{Prefix}ClientId is required: the client id this server was registered with at the provider.");
        }

        if (string.IsNullOrWhiteSpace(settings.ClientSecret))
        {
            errors.Add($"{Prefix}ClientSecret is required: the console is a confidential client and exchanges the code on the server.");
        }

        if (!settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
        {
            errors.Add($"{Prefix}Scopes must include openid (OpenID Connect Core 1.0 §3.1.2.1).");
        }

        var mapping = provider.Value;
        if (string.IsNullOrWhiteSpace(mapping.AdminClaim) != string.IsNullOrWhiteSpace(mapping.AdminValue))
        {
            errors.Add($"{Mapping}AdminClaim and {Mapping}AdminValue are set together.");
        }

        if (string.IsNullOrWhiteSpace(mapping.AdminClaim) && string.IsNullOrWhiteSpace(mapping.ProjectsClaim))
        {
            errors.Add($"Console sign-in through {Prefix}Authority needs {Mapping}AdminClaim and AdminValue, {Mapping}ProjectsClaim, or both: they decide what a user may see, and without them nobody could sign in.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
