using System.Text.Json;
using System.Text.Json.Serialization;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Keys;

internal static class JwksEndpoints
{
    /// <summary>The issuer's public keys (SSF 1.0 §7.1 <c>jwks_uri</c>): current and not yet expired retired keys.</summary>
    public static IEndpointRouteBuilder MapJwks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/jwks.json", GetJwks).AllowAnonymous().Produces<PublicKeySet>();
        return app;
    }

    // Each tenant's own keys at its own path (docs/TENANTS.md): /t/{name}/jwks.json.
    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult GetJwks(HttpContext context, IssuerKeyStore keys) =>
        TypedResults.Text(keys.RingOf(context.Tenant()).ToPublicJwks(), "application/json");
}

/// <summary>The shape of <c>/jwks.json</c> for the OpenAPI document: an RFC 7517 §5 JWK Set of public keys.</summary>
internal sealed record PublicKeySet([property: JsonPropertyName("keys")] JsonElement[] Keys);
