using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Http;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens;

namespace SharpSignals.Server.StreamApi;

/// <summary>What a valid create body asks for, checked and filled in (SSF 1.0 §8.1.1.1).</summary>
internal sealed record NewStream(string Direction, string Project, IReadOnlyList<string>? Audience, DeliveryConfiguration Delivery, SourceConfiguration? Source)
{
    public bool IsInbound => Direction == StreamDirections.Inbound;

    /// <summary>The checked <c>encryption</c> member, its <c>jwks_uri</c> not yet fetched (<see cref="StreamEncryptionKeys"/>).</summary>
    public StreamEncryption? Encryption { get; init; }

    /// <summary>An inbound stream this server creates at a remote transmitter (<see cref="JoinedStreams"/>).</summary>
    public bool IsJoining => Source?.IsJoined == true;
}

/// <summary>What a valid update (PATCH) or replace (PUT) body changes (SSF 1.0 §8.1.1.3, §8.1.1.4).</summary>
internal sealed record StreamChange(IReadOnlyList<string>? EventsRequested, DeliveryConfiguration Delivery)
{
    /// <summary>The <c>encryption</c> member from now on; a new one's <c>jwks_uri</c> not yet fetched (<see cref="StreamEncryptionKeys"/>).</summary>
    public StreamEncryption? Encryption { get; init; }
}

/// <summary>
/// The one validator of create, update and replace bodies: every error is collected and answered in
/// one 400 (the type errors <see cref="StreamRequest"/> found while reading come first), so that a
/// caller fixes them all in one go.
/// </summary>
internal sealed class StreamRequestValidator(IssuerUrl issuer, OutboundAddressPolicy addresses)
{
    private const string InboundOAuth = "delivery.oauth is only for outbound push streams: an inbound stream's credential is this server's or its source's";

    public Outcome<NewStream> CheckCreate(ClaimsPrincipal caller, JsonBody body, StreamRequest request, string streamId)
    {
        var errors = body.Errors;

        // SSF 1.0 §8.1.1.1: the create body carries receiver-supplied members only; the admin may name the audience.
        foreach (var member in StreamRequest.TransmitterSupplied.Where(m => body.Has(m) && !(m == "aud" && caller.IsAdmin())))
        {
            errors.Add($"{member} is supplied by the transmitter and cannot be set");
        }

        var direction = request.Direction ?? StreamDirections.Outbound;
        var inbound = direction == StreamDirections.Inbound;
        if (!inbound && direction != StreamDirections.Outbound)
        {
            errors.Add("direction must be outbound or inbound");
        }

        // An inbound stream brings events into the project, as publishing does.
        if (inbound && !caller.IsAdmin() && !caller.HasScope(Scopes.Publish))
        {
            return Failure.Forbidden($"Creating an inbound stream takes the {Scopes.Publish} scope.");
        }

        var project = caller.IsAdmin() ? caller.AdminProject(request.Project) : caller.Project();
        if (request.Project is not null && TenantProjects.Qualify(caller.Tenant(), request.Project) != project)
        {
            errors.Add("project is set by the caller's credentials");
        }

        var audience = caller.IsAdmin() && body.Has("aud") ? ReadAudience(body.Root.GetProperty("aud"), errors) : null;
        var delivery = inbound
            ? CheckInboundDelivery(caller.Tenant(), streamId, request, errors)
            : CheckDelivery(caller.Tenant(), streamId, request.HasDelivery ? request.Delivery : null, errors);
        var source = inbound ? CheckSource(request, errors) : null;
        if (source is { Echo: true } && caller.ClientIdOf() is null)
        {
            errors.Add("source.echo sends a client's own events back to its own outbound streams: a stream the admin creates has no owner to echo to");
        }

        CheckSourceMember(request, inbound, existing: false, errors);
        if (source?.IsJoined == true && audience is not null)
        {
            errors.Add("aud of a stream joined at a remote transmitter is that transmitter's to set");
        }

        CheckRouteMode(request.RouteMode, errors);
        var encryption = StreamEncryptionKeys.Check(request.Encryption, inbound, addresses, errors);
        return errors.Count > 0 ? Failure.Invalid(errors) : new NewStream(direction, project, audience, delivery!, source) { Encryption = encryption };
    }

    public Outcome<StreamChange> CheckChange(JsonBody body, StreamRequest request, StreamConfiguration current, bool replace)
    {
        var errors = body.Errors;
        CheckUnchanged(body, current, errors);
        if (request.Direction is not null && request.Direction != current.Direction)
        {
            errors.Add("direction cannot be changed");
        }

        if (request.Project is not null && request.Project != TenantProjects.LocalName(current.Project))
        {
            errors.Add("project cannot be changed");
        }

        CheckRouteMode(request.RouteMode, errors);
        var eventsRequested = request.HasEventsRequested || replace ? request.EventsRequested : current.EventsRequested;
        var delivery = current.IsInbound
            ? KeepInboundDelivery(current, request, errors)
            : request.HasDelivery || replace
                ? CheckDelivery(TenantProjects.TenantOf(current.Project), current.StreamId, request.HasDelivery ? request.Delivery : null, errors)
                : current.Delivery;
        CheckSourceMember(request, current.IsInbound, existing: true, errors);
        var encryption = request.HasEncryption || replace ? StreamEncryptionKeys.Check(request.Encryption, current.IsInbound, addresses, errors) : current.Encryption;
        return errors.Count > 0 ? Failure.Invalid(errors) : new StreamChange(eventsRequested, delivery!) { Encryption = encryption };
    }

    private DeliveryConfiguration? CheckDelivery(string tenant, string streamId, DeliveryConfiguration? requested, List<string> errors)
    {
        // SSF 1.0 §8.1.1.1: no delivery means poll, with the transmitter's endpoint.
        var method = requested?.Method ?? DeliveryMethods.Poll;
        if (requested?.OAuth is { } oauth)
        {
            CheckReceiverOAuth(requested, oauth, method, errors);
        }

        return method switch
        {
            DeliveryMethods.Poll => new DeliveryConfiguration { Method = DeliveryMethods.Poll, EndpointUrl = issuer.Url(tenant, "/ssf/poll/" + streamId) },
            DeliveryMethods.Push => CheckEndpoint(requested!, "", errors),
            _ => UnknownMethod(method, errors),
        };
    }

    /// <summary>
    /// An inbound stream's delivery (docs/API.md, "Inbound streams"): pushed to this server at its own
    /// URL with a credential generated here, or polled by this server from the source's endpoint.
    /// Without a delivery member the source pushes.
    /// </summary>
    private DeliveryConfiguration? CheckInboundDelivery(string tenant, string streamId, StreamRequest request, List<string> errors)
    {
        var requested = request.HasDelivery ? request.Delivery : null;
        if (requested?.OAuth is not null)
        {
            errors.Add(InboundOAuth);
        }

        switch (requested?.Method ?? DeliveryMethods.Push)
        {
            case DeliveryMethods.Push:
                if (requested?.EndpointUrl is not null || requested?.AuthorizationHeader is not null)
                {
                    errors.Add("delivery.endpoint_url and delivery.authorization_header of an inbound push stream are set by this server");
                }

                return new DeliveryConfiguration
                {
                    Method = DeliveryMethods.Push,
                    EndpointUrl = issuer.Url(tenant, "/ssf/push/" + streamId),

                    // A joined source is handed this one when the stream is made at it; any other
                    // source gets the stream credential issued once the stream is stored.
                    AuthorizationHeader = request.Source?.IsJoined == true ? "Bearer " + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)) : null,
                };
            case DeliveryMethods.Poll when request.Source?.IsJoined == true:
                if (requested?.EndpointUrl is not null)
                {
                    errors.Add("delivery.endpoint_url of a stream joined at a remote transmitter comes from that transmitter");
                }

                return new DeliveryConfiguration { Method = DeliveryMethods.Poll, AuthorizationHeader = request.Source.AuthorizationHeader };
            case DeliveryMethods.Poll:
                return CheckEndpoint(requested!, ": an inbound poll stream polls the source's poll endpoint", errors);
            case var method:
                return UnknownMethod(method, errors);
        }
    }

    /// <summary>A delivery whose endpoint is elsewhere: its URL passes the outbound address rules, its header is one header value.</summary>
    private DeliveryConfiguration? CheckEndpoint(DeliveryConfiguration requested, string hint, List<string> errors)
    {
        if (addresses.CheckUrl(requested.EndpointUrl) is { } problem)
        {
            errors.Add($"delivery.endpoint_url {problem}{hint}");
            return null;
        }

        CheckHeaderValue(requested.AuthorizationHeader, "delivery.authorization_header", errors);
        return requested;
    }

    /// <summary>
    /// <c>delivery.oauth</c> (docs/API.md, "Receivers whose tokens expire"): every member named when missing, the token
    /// endpoint under the same outbound address rules as the push endpoint, and no fixed
    /// <c>authorization_header</c> beside it (which of the two would the receiver get?).
    /// </summary>
    private void CheckReceiverOAuth(DeliveryConfiguration requested, ReceiverOAuth oauth, string method, List<string> errors)
    {
        if (method != DeliveryMethods.Push)
        {
            errors.Add($"delivery.oauth is only for push delivery ({DeliveryMethods.Push})");
        }

        if (requested.AuthorizationHeader is not null)
        {
            errors.Add("delivery takes either authorization_header or oauth, not both");
        }

        if (oauth.TokenEndpoint.Length == 0)
        {
            errors.Add("delivery.oauth.token_endpoint is required");
        }
        else if (addresses.CheckUrl(oauth.TokenEndpoint) is { } problem)
        {
            errors.Add($"delivery.oauth.token_endpoint {problem}");
        }

        foreach (var (name, value, required) in new[] { ("client_id", oauth.ClientId, true), ("client_secret", oauth.ClientSecret, true), ("scope", oauth.Scope, false) })
        {
            if (required && string.IsNullOrEmpty(value))
            {
                errors.Add($"delivery.oauth.{name} is required");
            }
            else if (value is not null && (value.Length > 4096 || value.Any(char.IsControl)))
            {
                errors.Add($"delivery.oauth.{name} must be at most 4096 characters, without control characters");
            }
        }

        if (oauth.TokenEndpointAuthMethod is { } auth && auth != ReceiverOAuth.BasicAuthentication && auth != ReceiverOAuth.PostAuthentication)
        {
            errors.Add($"delivery.oauth.token_endpoint_auth_method must be {ReceiverOAuth.BasicAuthentication} or {ReceiverOAuth.PostAuthentication}");
        }
    }

    /// <summary>An empty method was already reported missing while the body was read.</summary>
    private static DeliveryConfiguration? UnknownMethod(string method, List<string> errors)
    {
        if (method.Length > 0)
        {
            errors.Add($"delivery.method must be {DeliveryMethods.Push} or {DeliveryMethods.Poll}");
        }

        return null;
    }

    /// <summary>An inbound stream keeps its delivery: it is where its source sends or where this server polls.</summary>
    private static DeliveryConfiguration KeepInboundDelivery(StreamConfiguration current, StreamRequest request, List<string> errors)
    {
        if (request.Delivery is { } requested && (requested.Method != current.Delivery.Method
            || (requested.EndpointUrl is not null && requested.EndpointUrl != current.Delivery.EndpointUrl)))
        {
            errors.Add("the delivery of an inbound stream cannot be changed; delete the stream and create it again");
        }

        if (request.Delivery?.OAuth is not null)
        {
            errors.Add(InboundOAuth);
        }

        return current.Delivery;
    }

    /// <summary>Where an inbound stream's SETs come from; the source's own URLs pass the same address rules as pushes.</summary>
    private SourceConfiguration? CheckSource(StreamRequest request, List<string> errors)
    {
        if (request.Source is not { } source)
        {
            errors.Add("source is required for an inbound stream: {\"issuer\", \"jwks_uri\"?, ...}");
            return null;
        }

        foreach (var (name, url) in new[] { ("jwks_uri", source.JwksUri), ("configuration_endpoint", source.ConfigurationEndpoint), ("token_endpoint", source.TokenEndpoint) })
        {
            if (url is not null && addresses.CheckUrl(url) is { } problem)
            {
                errors.Add($"source.{name} {problem}");
            }
        }

        if (source.IsJoined && addresses.CheckUrl(source.Issuer) is { } issuerProblem)
        {
            errors.Add($"source.issuer {issuerProblem}: joining reads its discovery document");
        }
        else if (source.JwksUri is null && addresses.CheckUrl(source.Issuer) is { } keysProblem)
        {
            errors.Add($"source.issuer {keysProblem}: without a jwks_uri, the keys are found through its discovery document");
        }

        if ((source.ClientId is null) != (source.ClientSecret is null))
        {
            errors.Add("source.client_id and source.client_secret go together");
        }

        if (source.AuthorizationHeader is not null && source.ClientId is not null)
        {
            errors.Add("source takes either authorization_header or client_id and client_secret, not both");
        }

        CheckHeaderValue(source.AuthorizationHeader, "source.authorization_header", errors);
        return source;
    }

    /// <summary>source belongs to inbound streams, and is set once, when the stream is created.</summary>
    private static void CheckSourceMember(StreamRequest request, bool inbound, bool existing, List<string> errors)
    {
        if (!request.HasSource)
        {
            return;
        }

        if (!inbound)
        {
            errors.Add("source is only for inbound streams");
        }
        else if (existing)
        {
            errors.Add("source cannot be changed; delete the stream and create it again");
        }
    }

    private static void CheckHeaderValue(string? header, string name, List<string> errors)
    {
        if (header is not null && (header.Length > 4096 || header.Any(char.IsControl)))
        {
            errors.Add($"{name} must be a single header value");
        }
    }

    /// <summary>SSF 1.0 §8.1.1.3: transmitter-supplied members may appear but must equal the current values.</summary>
    private static void CheckUnchanged(JsonBody body, StreamConfiguration current, List<string> errors)
    {
        var currentJson = JsonSerializer.SerializeToElement(current, StreamJsonContext.Default.StreamConfiguration);
        foreach (var member in StreamRequest.TransmitterSupplied.Where(m => m != "stream_id" && body.Has(m)))
        {
            var given = body.Root.GetProperty(member);
            if (!currentJson.TryGetProperty(member, out var value) || !SameValue(given, value))
            {
                errors.Add($"{member} is supplied by the transmitter and does not match the stream");
            }
        }
    }

    private static bool SameValue(JsonElement a, JsonElement b)
    {
        static IEnumerable<string> Values(JsonElement e) => e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.ToString())
            : [e.ToString()];

        // Lists compare as sets (order carries no meaning); aud may be a string or a one-element array.
        return Values(a).ToHashSet(StringComparer.Ordinal).SetEquals(Values(b));
    }

    private static IReadOnlyList<string>? ReadAudience(JsonElement aud, List<string> errors)
    {
        if (aud.ValueKind == JsonValueKind.String && aud.GetString() is { Length: > 0 } single)
        {
            return [single];
        }

        if (aud.ValueKind == JsonValueKind.Array && aud.GetArrayLength() > 0 && aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String))
        {
            return aud.EnumerateArray().Select(a => a.GetString()!).ToList();
        }

        errors.Add("aud must be a string or an array of strings");
        return null;
    }

    private static void CheckRouteMode(string? routeMode, List<string> errors)
    {
        if (routeMode is not null && routeMode != RouteModes.Republish && routeMode != RouteModes.Forward)
        {
            errors.Add($"route_mode must be {RouteModes.Republish} or {RouteModes.Forward}");
        }
    }
}
