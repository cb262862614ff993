using Microsoft.Extensions.Options;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Configuration;

/// <summary>Cross-field rules, reported together so that one start shows every mistake.</summary>
internal sealed class ServerOptionsValidator(IConfiguration configuration) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var errors = new List<string>();
        if (options.Issuer is { Length: > 0 } issuer)
        {
            if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                // SSF 1.0 §7.1: the issuer is a URL with no query or fragment.
                errors.Add($"SharpSignals:Issuer '{issuer}' must be an absolute URL without query or fragment.");
            }
            else if (uri.Scheme != Uri.UriSchemeHttps && !options.AllowInsecureHttp)
            {
                errors.Add($"SharpSignals:Issuer '{issuer}' must use https (set SharpSignals:AllowInsecureHttp for development).");
            }
        }

        // DataAnnotations does not descend into nested sections, so the nested rules are checked here.
        if (!SigningAlgorithms.Signing.Contains(options.Signing.Algorithm))
        {
            errors.Add($"SharpSignals:Signing:Algorithm '{options.Signing.Algorithm}' is not one of {string.Join(", ", SigningAlgorithms.Signing)}.");
        }

        if (options.Signing.RotationLeadSeconds < 0)
        {
            errors.Add($"SharpSignals:Signing:RotationLeadSeconds '{options.Signing.RotationLeadSeconds}' must be 0 or more.");
        }

        if (options.Storage is not (ServerOptions.SqliteStorage or ServerOptions.PostgresStorage))
        {
            errors.Add($"SharpSignals:Storage '{options.Storage}' is not one of {ServerOptions.SqliteStorage}, {ServerOptions.PostgresStorage}.");
        }

        foreach (var url in (configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ListenUrl.IsValid(url))
            {
                errors.Add($"urls '{url}' (--urls or ASPNETCORE_URLS) is not an address to listen on: http:// or https://, a host (or * for all), and a port from 0 to 65535, e.g. http://127.0.0.1:5000.");
            }
        }

        if (options.Storage == ServerOptions.PostgresStorage && string.IsNullOrWhiteSpace(configuration.GetConnectionString(ServerOptions.PostgresConnectionName)))
        {
            errors.Add($"SharpSignals:Storage '{ServerOptions.PostgresStorage}' needs ConnectionStrings:{ServerOptions.PostgresConnectionName} (Host=...;Database=...;Username=...;Password=...).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
