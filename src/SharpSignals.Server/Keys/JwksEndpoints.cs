using System.Text.Json;
using System.Text.Json.Serialization;
using SharpSignals.Server.Http;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Keys;

internal static class JwksEndpoints
{
    /// <summary>
    /// The issuer's public keys (SSF 1.0 §7.1 <c>jwks_uri</c>): its signing keys (<c>use: sig</c>),
    /// current and not yet expired retired ones, and the keys SETs sent to it may be encrypted to (<c>use: enc</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapJwks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/jwks.json", GetJwks).AllowAnonymous().Produces<PublicKeySet>();
        return app;
    }

    // Each tenant's own keys at its own path (docs/TENANTS.md): /t/{name}/jwks.json.
    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult GetJwks(HttpContext context, IssuerKeyStore keys, EncryptionKeys encryption) =>
        TypedResults.Text(Jwk.WritePublicSet([.. keys.RingOf(context.Tenant()).PublicKeys, .. encryption.ForTenant(context.Tenant()).PublicKeys]), "application/json");
}

/// <summary>The shape of <c>/jwks.json</c> for the OpenAPI document: an RFC 7517 §5 JWK Set of public keys.</summary>
internal sealed record PublicKeySet([property: JsonPropertyName("keys")] JsonElement[] Keys);
