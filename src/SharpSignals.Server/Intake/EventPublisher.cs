using SharpSignals.Server.Http;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Intake;

/// <summary>
/// Publishes one event into a project as this issuer: reads <c>{"events", "sub_id", "txn"?, "toe"?}</c>,
/// appends it and routes it, signed for each stream that carries it (docs/ARCHITECTURE.md, "The path of one event"). <c>POST /events</c> and a
/// broadcast that carries an event both come through here, so both are checked and kept alike.
/// </summary>
internal sealed class EventPublisher(SetIssuer issuer, EventRouter router, IngestGate gate, ProjectEventTypes eventTypes, ServerMetrics metrics, TimeProvider time)
{
    /// <summary>Claims the server sets itself; SSF 1.0 §4.1.2 forbids sub and exp altogether.</summary>
    private static readonly string[] ServerSetClaims = ["iss", "jti", "iat", "aud", "sub", "exp"];

    /// <summary>Publishes the event <paramref name="body"/> describes; on success it is on disk and routed.</summary>
    /// <param name="body">The request.</param>
    /// <param name="project">The project to publish into.</param>
    /// <param name="signed">Whether the outcome carries the SET signed as this issuer (a broadcast relays it); else its token is the unsigned form the log keeps.</param>
    /// <param name="cancellationToken">Cancels while waiting for a turn or for the writer.</param>
    public async Task<PublishOutcome> PublishAsync(JsonBody body, string project, bool signed, CancellationToken cancellationToken)
    {
        using var span = ServerTracing.StartIntake("sharpsignals.publish", project);
        var outcome = await AppendAsync(body, project, signed, cancellationToken);
        var result = outcome.IsBusy ? ServerMetrics.Outcomes.Busy : outcome.Jti is null ? ServerMetrics.Outcomes.Refused : ServerMetrics.Outcomes.Accepted;
        metrics.Published(project, result);
        if (outcome.Jti is null)
        {
            ServerTracing.Failed(span, result);
        }

        return outcome;
    }

    private async Task<PublishOutcome> AppendAsync(JsonBody body, string project, bool signed, CancellationToken cancellationToken)
    {
        RoutedEvent routed;
        SecurityEventToken? set;
        string token;
        using (var turn = await gate.EnterAsync(project, cancellationToken))
        {
            if (turn is null)
            {
                return PublishOutcome.Busy;
            }

            IReadOnlyList<string> errors;
            var tenant = TenantProjects.TenantOf(project);
            (set, errors) = ReadEvent(body, project, issuer.IssuerOf(tenant), time.GetUtcNow());
            if (set is null)
            {
                return PublishOutcome.Refused(errors);
            }

            // Signed once per stream that carries it (EventRouter.Route), not for the log as well: the log
            // keeps the claims unsigned, and GET /events/{jti} signs them when asked (docs/API.md).
            token = SetSigner.Unsecured(set);
            routed = router.Route(set, token, project, sourceStreamId: null);
            if (signed)
            {
                token = issuer.Sign(set, tenant);
            }
        }

        // The wait for the commit is outside the turn, so that concurrent publishes share commits.
        await router.AppendAsync(routed, cancellationToken);
        return PublishOutcome.Published(set.Jti, token, routed.Deliveries.Count);
    }

    /// <summary>Reads the event into a SET from this issuer, checked against the catalog and the project's custom types.</summary>
    private (SecurityEventToken? Set, IReadOnlyList<string> Errors) ReadEvent(JsonBody body, string project, string issuer, DateTimeOffset now)
    {
        var errors = body.Errors;
        var events = new List<SecurityEvent>();
        if (body.Object("events") is { } eventsElement)
        {
            foreach (var member in eventsElement.EnumerateObject())
            {
                // An unknown type is refused rather than stored and routed nowhere; a short name is
                // stored as its URI, never as given.
                var (type, unknown) = eventTypes.Resolve(project, member.Name);
                if (type is null)
                {
                    errors.Add("events: " + unknown);
                    continue;
                }

                var read = EventCatalog.Read(type, member.Value);
                errors.AddRange(read.Errors.Select(e => "events: " + e));
                if (read.Event is not null)
                {
                    events.Add(read.Event);
                }
            }
        }
        else if (!errors.Any(e => e.StartsWith("events", StringComparison.Ordinal)))
        {
            errors.Add("events is required: an object of one event type URI and its payload");
        }

        SubjectIdentifier? subject = null;
        if (body.Object("sub_id") is { } subjectElement)
        {
            var read = SubjectIdentifier.Read(subjectElement);
            subject = read.Subject;
            errors.AddRange(read.Errors);
        }

        var txn = body.String("txn");
        var toe = body.Int64("toe");
        foreach (var forbidden in ServerSetClaims.Where(body.Has))
        {
            errors.Add($"{forbidden} is set by the server and cannot be published");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var set = new SecurityEventToken
        {
            Issuer = issuer,
            IssuedAt = now,
            Jti = SetIds.NewJti(),
            Txn = txn,
            TimeOfEvent = toe is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null,
            Subject = subject,
            Events = events,
        };
        var problems = set.Validate();
        return problems.Count == 0 ? (set, []) : (null, problems);
    }
}

/// <summary>
/// What came of a publish: the event's <c>jti</c>, token (signed when asked for, else as the log keeps it) and the number of streams it was routed to,
/// the problems with it, or no turn to take it in now.
/// </summary>
internal sealed record PublishOutcome(string? Jti, string? Token, int Streams, IReadOnlyList<string> Errors, bool IsBusy)
{
    public static PublishOutcome Busy { get; } = new(null, null, 0, [], true);

    public static PublishOutcome Refused(IReadOnlyList<string> errors) => new(null, null, 0, errors, false);

    public static PublishOutcome Published(string jti, string token, int streams) => new(jti, token, streams, [], false);
}
