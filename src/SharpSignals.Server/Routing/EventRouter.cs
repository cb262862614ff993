using SharpSignals.Server.Keys;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Routing;

/// <summary>
/// The one append-and-route step every event goes through (docs/ARCHITECTURE.md, "The path of one event"):
/// the event and one delivery entry per matching stream are appended in one transaction, and the
/// streams are woken once it is on disk.
/// </summary>
internal sealed partial class EventRouter(IEventLog log, StreamCatalog catalog, SetIssuer issuer, StreamSignals signals, TimeProvider time, ILogger<EventRouter> logger)
{
    /// <summary>Appends an event and routes it to every matching outbound stream.</summary>
    /// <param name="set">The verified claims.</param>
    /// <param name="token">The SET as received, or for an event published here its claims unsigned (<see cref="SetSigner.Unsecured"/>), never sent as they are.</param>
    /// <param name="project">The project the event belongs to.</param>
    /// <param name="sourceStreamId">The inbound stream it came from, which never gets it back.</param>
    /// <param name="cancellationToken">Cancels while waiting for the writer.</param>
    public Task<AppendResult> AppendAndRouteAsync(SecurityEventToken set, string token, string project, string? sourceStreamId, CancellationToken cancellationToken) =>
        AppendAsync(Route(set, token, project, sourceStreamId), cancellationToken);

    /// <summary>
    /// The CPU part of append-and-route: the matching streams, and the SET signed for each stream that
    /// re-publishes. Nothing is written yet.
    /// </summary>
    public RoutedEvent Route(SecurityEventToken set, string token, string project, string? sourceStreamId)
    {
        var routes = catalog.Match(set, project, sourceStreamId);
        var deliveries = new List<NewDelivery>(routes.Count);
        foreach (var route in routes)
        {
            // Forward passes on a received token byte for byte. An event published here has no
            // original to pass on: every stream gets it signed for its own aud.
            var delivery = route.Configuration.RouteMode == RouteModes.Forward && sourceStreamId is not null
                ? new NewDelivery(route.StreamId, set.Jti)
                : Republish(set, route);
            deliveries.Add(Encrypted(delivery, delivery.Token ?? token, route));
        }

        return new RoutedEvent(NewEvent(set, token, project, sourceStreamId), deliveries);
    }

    /// <summary>Appends a routed event and its delivery entries in one transaction, then wakes the streams once it is on disk.</summary>
    public async Task<AppendResult> AppendAsync(RoutedEvent routed, CancellationToken cancellationToken)
    {
        AppendResult result;
        using (ServerTracing.StartCommit(routed.Deliveries.Count))
        {
            result = await log.AppendAsync(routed.Event, routed.Deliveries, cancellationToken);
        }

        if (!result.IsDuplicate)
        {
            foreach (var delivery in routed.Deliveries)
            {
                signals.Notify(delivery.StreamId);
            }

            LogRouted(logger, routed.Event.Jti, result.Position, routed.Deliveries.Count);
        }

        return result;
    }

    /// <summary>
    /// Appends an event about one stream (verification, stream-updated), delivered to that stream only,
    /// whatever its <c>events_delivered</c> (SSF 1.0 §8.1.4, §8.1.5). Returns its jti and its position in the log.
    /// </summary>
    public async Task<(string Jti, long Position)> AppendStreamEventAsync(StreamRoute route, SecurityEvent streamEvent, CancellationToken cancellationToken)
    {
        var tenant = TenantProjects.TenantOf(route.Project);
        var set = issuer.NewSet(tenant, streamEvent, new OpaqueSubject(route.StreamId), route.Configuration.Audience);
        var token = issuer.Sign(set, tenant);
        var delivery = Encrypted(new NewDelivery(route.StreamId, set.Jti, token), token, route);
        var appended = await log.AppendAsync(NewEvent(set, token, route.Project, null), [delivery], cancellationToken);
        signals.Notify(route.StreamId);
        return (set.Jti, appended.Position);
    }

    /// <summary>SSF 1.0 §4.1: re-issued under the stream's tenant's issuer with a new jti and iat, the stream's aud, the same txn and toe.</summary>
    private NewDelivery Republish(SecurityEventToken set, StreamRoute route)
    {
        var tenant = TenantProjects.TenantOf(route.Project);
        var copy = set with
        {
            Issuer = issuer.IssuerOf(tenant),
            Jti = SetIds.NewJti(),
            IssuedAt = time.GetUtcNow(),
            Audience = route.Configuration.Audience,
        };
        return new NewDelivery(route.StreamId, copy.Jti, issuer.Sign(copy, tenant));
    }

    /// <summary>
    /// For a stream that asks for encrypted SETs (docs/API.md, "Encrypted SETs"): the signed SET
    /// encrypted to the receiver's key as a nested JWT (RFC 7519 §11.2), once, here, so that a retry,
    /// a re-poll or a replay sends the same bytes. The event log keeps the signed SET.
    /// </summary>
    private static NewDelivery Encrypted(NewDelivery delivery, string signed, StreamRoute route) =>
        route.EncryptionKey is { } key
            ? delivery with { Token = SetEncryption.Encrypt(signed, key, route.Configuration.Encryption!.Algorithm, route.Configuration.Encryption.ContentEncryption) }
            : delivery;

    private NewEvent NewEvent(SecurityEventToken set, string token, string project, string? sourceStreamId) =>
        new(set.Issuer, set.Jti, project, set.Events.Select(e => e.EventType).ToList(), token, time.GetUtcNow())
        {
            Txn = set.Txn,
            SourceStreamId = sourceStreamId,
            SubjectKeys = EventSubjects.KeysOf(set.Subject),

            // The intake span, for each delivery span to link to across the queue.
            TraceParent = ServerTracing.CurrentTraceParent(),
        };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Jti} appended at {Position} and routed to {StreamCount} streams")]
    private static partial void LogRouted(ILogger logger, string jti, long position, int streamCount);
}

/// <summary>An event with its delivery entries, ready to append.</summary>
internal sealed record RoutedEvent(NewEvent Event, IReadOnlyList<NewDelivery> Deliveries);
