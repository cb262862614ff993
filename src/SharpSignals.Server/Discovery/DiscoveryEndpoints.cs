using System.Text.Json.Serialization;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Streams;
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

    private static IResult GetMetadata(IssuerUrl issuer, IOptions<StreamOptions> options, string? issuerPath = null)
    {
        var expectedPath = new Uri(issuer.Value).AbsolutePath.Trim('/');
        if ((issuerPath ?? "").Trim('/') != expectedPath)
        {
            return TypedResults.NotFound();
        }

        // SSF 1.0 §7.1: arrays with no element are left out; every endpoint is advertised.
        return TypedResults.Json(new TransmitterMetadata(
            "1_0",
            issuer.Value,
            issuer.Url("/jwks.json"),
            [DeliveryMethods.Push, DeliveryMethods.Poll],
            issuer.Url("/ssf/streams"),
            issuer.Url("/ssf/status"),
            issuer.Url("/ssf/subjects/add"),
            issuer.Url("/ssf/subjects/remove"),
            issuer.Url("/ssf/verify"),
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
