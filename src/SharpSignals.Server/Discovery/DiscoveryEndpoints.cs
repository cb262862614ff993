using System.Text.Json.Serialization;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Tenancy;
using SharpSignals.Tokens;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Discovery;

/// <summary>SSF 1.0 §7: the transmitter configuration metadata.</summary>
internal static class DiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app)
    {
        // SSF 1.0 §7.2 / RFC 8615: an issuer with a path is discovered at /.well-known/ssf-configuration/<path>.
        app.MapGet("/.well-known/ssf-configuration", GetMetadata).AllowAnonymous().Produces<TransmitterMetadata>().Produces(StatusCodes.Status404NotFound);
        app.MapGet("/.well-known/ssf-configuration/{**issuerPath}", GetMetadata).AllowAnonymous().Produces<TransmitterMetadata>().Produces(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetMetadata(IssuerUrl issuer, TenantRegistry tenants, IOptions<StreamOptions> options, CancellationToken cancellationToken, string? issuerPath = null)
    {
        // The server's issuer path, then for a tenant t/{name} (docs/TENANTS.md): RFC 8615 path insertion of the tenant's issuer.
        var serverPath = new Uri(issuer.Value).AbsolutePath.Trim('/');
        var path = (issuerPath ?? "").Trim('/');
        var tenantPath = serverPath.Length == 0 ? path : path.StartsWith(serverPath + "/", StringComparison.Ordinal) ? path[(serverPath.Length + 1)..] : null;
        var tenant = path == serverPath ? ""
            : tenantPath is not null && tenantPath.StartsWith(IssuerUrl.TenantPathPrefix[1..], StringComparison.Ordinal) ? tenantPath[(IssuerUrl.TenantPathPrefix.Length - 1)..]
            : null;
        if (tenant is null || (tenant.Length > 0 && (!TenantNames.IsValid(tenant) || !await tenants.IsLiveAsync(tenant, cancellationToken))))
        {
            return TypedResults.NotFound();
        }

        // SSF 1.0 §7.1: arrays with no element are left out; every endpoint is advertised.
        return TypedResults.Json(new TransmitterMetadata(
            "1_0",
            issuer.For(tenant),
            issuer.Url(tenant, "/jwks.json"),
            [DeliveryMethods.Push, DeliveryMethods.Poll],
            issuer.Url(tenant, "/ssf/streams"),
            issuer.Url(tenant, "/ssf/status"),
            issuer.Url(tenant, "/ssf/subjects/add"),
            issuer.Url(tenant, "/ssf/subjects/remove"),
            issuer.Url(tenant, "/ssf/verify"),
            [new AuthorizationScheme("urn:ietf:rfc:6749")],
            options.Value.DefaultSubjects), DiscoveryJsonContext.Default.TransmitterMetadata);
    }
}

internal sealed record TransmitterMetadata(
    [property: JsonPropertyName("spec_version")] string SpecVersion,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("delivery_methods_supported")] string[] DeliveryMethodsSupported,
    [property: JsonPropertyName("configuration_endpoint")] string ConfigurationEndpoint,
    [property: JsonPropertyName("status_endpoint")] string StatusEndpoint,
    [property: JsonPropertyName("add_subject_endpoint")] string AddSubjectEndpoint,
    [property: JsonPropertyName("remove_subject_endpoint")] string RemoveSubjectEndpoint,
    [property: JsonPropertyName("verification_endpoint")] string VerificationEndpoint,
    [property: JsonPropertyName("authorization_schemes")] AuthorizationScheme[] AuthorizationSchemes,
    [property: JsonPropertyName("default_subjects")] string DefaultSubjects);

internal sealed record AuthorizationScheme([property: JsonPropertyName("spec_urn")] string SpecUrn);

[JsonSerializable(typeof(TransmitterMetadata))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
