using System.Text.Json;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Streams;

/// <summary>
/// The receiver-supplied members of a create, update or replace body (SSF 1.0 §8.1.1), read with
/// every type error collected. Transmitter-supplied members and the rules between members are checked by the stream API (StreamApi/StreamRequestValidator).
/// </summary>
internal sealed record StreamRequest
{
    /// <summary>Members only the transmitter sets (SSF 1.0 §8.1.1 and the conformance suite's list).</summary>
    public static readonly IReadOnlyList<string> TransmitterSupplied =
        ["stream_id", "iss", "aud", "events_supported", "events_delivered", "min_verification_interval", "inactivity_timeout"];

    public bool HasEventsRequested { get; init; }

    public IReadOnlyList<string>? EventsRequested { get; init; }

    public bool HasDelivery { get; init; }

    public DeliveryConfiguration? Delivery { get; init; }

    public bool HasDescription { get; init; }

    public string? Description { get; init; }

    public string? Direction { get; init; }

    public string? RouteMode { get; init; }

    public string? Project { get; init; }

    public bool HasSource { get; init; }

    public SourceConfiguration? Source { get; init; }

    public bool HasEncryption { get; init; }

    /// <summary>The <c>encryption</c> member as given (null also when it is given as null, to remove it); checked by the stream API.</summary>
    public StreamEncryption? Encryption { get; init; }

    public static StreamRequest Read(JsonBody body)
    {
        var delivery = body.Object("delivery");
        DeliveryConfiguration? parsed = null;
        if (delivery is { } d)
        {
            var method = String(d, "method", "delivery.method", body.Errors);
            parsed = new DeliveryConfiguration
            {
                Method = method ?? "",
                EndpointUrl = String(d, "endpoint_url", "delivery.endpoint_url", body.Errors),
                AuthorizationHeader = String(d, "authorization_header", "delivery.authorization_header", body.Errors),
                OAuth = OAuth(d, body.Errors),
            };
            if (method is null)
            {
                body.Errors.Add("delivery.method is required");
            }
        }

        SourceConfiguration? source = null;
        if (body.Object("source") is { } s)
        {
            var sourceIssuer = String(s, "issuer", "source.issuer", body.Errors);
            if (string.IsNullOrEmpty(sourceIssuer))
            {
                body.Errors.Add("source.issuer is required");
            }

            // Only what the caller may supply: stream_id, verification_state and status are kept by this server.
            source = new SourceConfiguration
            {
                Issuer = sourceIssuer ?? "",
                JwksUri = String(s, "jwks_uri", "source.jwks_uri", body.Errors),
                ConfigurationEndpoint = String(s, "configuration_endpoint", "source.configuration_endpoint", body.Errors),
                AuthorizationHeader = String(s, "authorization_header", "source.authorization_header", body.Errors),
                ClientId = String(s, "client_id", "source.client_id", body.Errors),
                ClientSecret = String(s, "client_secret", "source.client_secret", body.Errors),
                TokenEndpoint = String(s, "token_endpoint", "source.token_endpoint", body.Errors),
                Echo = Boolean(s, "echo", "source.echo", body.Errors) ?? false,
            };

            // The retired replica member asked for what is now the default (no echo to the owner);
            // it is still taken, so that existing clients keep working, but cannot ask for both.
            if (Boolean(s, "replica", "source.replica", body.Errors) == true && source.Echo)
            {
                body.Errors.Add("source.replica (retired: no echo is the default) contradicts source.echo");
            }
        }

        return new StreamRequest
        {
            HasEncryption = body.Has("encryption"),
            Encryption = ReadEncryption(body),
            HasSource = body.Has("source"),
            Source = source,
            HasEventsRequested = body.Has("events_requested"),
            EventsRequested = body.StringArray("events_requested"),
            HasDelivery = body.Has("delivery"),
            Delivery = parsed,
            HasDescription = body.Has("description"),
            Description = body.String("description"),
            Direction = body.String("direction"),
            RouteMode = body.String("route_mode"),
            Project = body.String("project"),
        };
    }

    /// <summary>
    /// <c>delivery.oauth</c>, with its type errors and unknown members named; an absent string member
    /// reads as empty, and the stream API names it as missing.
    /// </summary>
    private static ReceiverOAuth? OAuth(JsonElement delivery, List<string> errors)
    {
        if (!delivery.TryGetProperty("oauth", out var oauth) || oauth.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (oauth.ValueKind != JsonValueKind.Object)
        {
            errors.Add("delivery.oauth must be an object: {\"token_endpoint\", \"client_id\", \"client_secret\", \"scope\"?, \"token_endpoint_auth_method\"?}");
            return null;
        }

        foreach (var member in oauth.EnumerateObject().Where(m => !ReceiverOAuth.Members.Contains(m.Name)))
        {
            errors.Add($"delivery.oauth.{member.Name} is not a member of delivery.oauth ({string.Join(", ", ReceiverOAuth.Members)})");
        }

        return new ReceiverOAuth
        {
            TokenEndpoint = String(oauth, "token_endpoint", "delivery.oauth.token_endpoint", errors) ?? "",
            ClientId = String(oauth, "client_id", "delivery.oauth.client_id", errors) ?? "",
            ClientSecret = String(oauth, "client_secret", "delivery.oauth.client_secret", errors),
            Scope = String(oauth, "scope", "delivery.oauth.scope", errors),
            TokenEndpointAuthMethod = String(oauth, "token_endpoint_auth_method", "delivery.oauth.token_endpoint_auth_method", errors),
        };
    }

    private static readonly string[] EncryptionMembers = ["jwks_uri", "jwk", "alg", "enc"];

    private static StreamEncryption? ReadEncryption(JsonBody body)
    {
        if (!body.Root.TryGetProperty("encryption", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            body.Errors.Add("encryption must be an object: {\"jwks_uri\" or \"jwk\", \"alg\", \"enc\"}");
            return null;
        }

        foreach (var member in e.EnumerateObject().Where(m => !EncryptionMembers.Contains(m.Name)))
        {
            body.Errors.Add($"encryption.{member.Name} is not a member of encryption (jwks_uri, jwk, alg, enc)");
        }

        var algorithm = String(e, "alg", "encryption.alg", body.Errors);
        var contentEncryption = String(e, "enc", "encryption.enc", body.Errors);
        foreach (var (name, value) in new[] { ("alg", algorithm), ("enc", contentEncryption) })
        {
            if (string.IsNullOrEmpty(value))
            {
                body.Errors.Add($"encryption.{name} is required");
            }
        }

        JsonElement? jwk = null;
        if (e.TryGetProperty("jwk", out var key) && key.ValueKind != JsonValueKind.Null)
        {
            if (key.ValueKind == JsonValueKind.Object)
            {
                jwk = key.Clone();
            }
            else
            {
                body.Errors.Add("encryption.jwk must be a JWK object");
            }
        }

        return new StreamEncryption
        {
            JwksUri = String(e, "jwks_uri", "encryption.jwks_uri", body.Errors),
            Jwk = jwk,
            Algorithm = algorithm ?? "",
            ContentEncryption = contentEncryption ?? "",
        };
    }

    private static bool? Boolean(JsonElement element, string name, string path, List<string> errors)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add($"{path} must be true or false");
        return null;
    }

    private static string? String(JsonElement element, string name, string path, List<string> errors)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        errors.Add($"{path} must be a string");
        return null;
    }
}
