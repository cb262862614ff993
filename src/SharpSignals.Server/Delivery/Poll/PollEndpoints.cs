using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Poll;

/// <summary>RFC 8936 poll delivery at <c>POST /ssf/poll/{stream_id}</c>.</summary>
internal static class PollEndpoints
{
    public static IEndpointRouteBuilder MapPollApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ssf/poll/{streamId}", Poll).RequireAuthorization(Scopes.Read)
            .Reads<PollRequestBody>().Produces<PollResponseBody>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Poll(
        string streamId,
        HttpRequest request,
        ClaimsPrincipal caller,
        CallerStreams visible,
        StreamLifecycle lifecycle,
        StreamCatalog catalog,
        IDeliveryStore deliveries,
        StreamSignals signals,
        TimeProvider time,
        IOptions<StreamOptions> options,
        LongPolls longPolls,
        ServerMetrics metrics,
        IOptions<QuotaOptions> quotas,
        IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        // Looking the stream up also records the poll as receiver activity (SSF 1.0 §8.1.1).
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound.ToResult();
        }

        // A body that is not a poll request (another media type, not JSON) is refused before it
        // counts as activity, so a refused request changes nothing.
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        await lifecycle.RecordActivityAsync(record, cancellationToken);

        var route = catalog.Find(streamId);
        if (route is null || route.IsPush || !route.IsOutbound)
        {
            return Problems.BadRequest($"Stream '{streamId}' is not delivered by poll.");
        }

        var poll = PollRequest.Read(body);
        if (body.Errors.Count > 0)
        {
            return Problems.BadRequest(string.Join("; ", body.Errors), body.Errors);
        }

        // A long poll holds a slot of its stream from before its acknowledgements are settled, so a
        // refused one changes nothing; one that returns immediately holds none.
        using var slot = poll.ReturnImmediately ? default : longPolls.TryEnter(streamId);
        if (!poll.ReturnImmediately && !slot.Entered)
        {
            return quotas.Value.LongPollsReached(streamId, TimeSpan.FromSeconds(options.Value.PollWaitSeconds)).ToResult();
        }

        // RFC 8936 §2.4: acknowledgements and errors are settled before anything is handed out.
        var now = time.GetUtcNow();
        var acknowledged = await deliveries.AcknowledgeAsync(streamId, poll.Ack, now, cancellationToken);
        var failed = await deliveries.DeadLetterAsync(streamId, AsAttempts(poll.Errors, now), now, cancellationToken);
        metrics.PollSettled(streamId, route.Project, acknowledged, failed);

        var max = Math.Min(poll.MaxEvents ?? options.Value.MaxPollEvents, options.Value.MaxPollEvents);

        var window = DeliveryWindow.Of(record);
        if (max == 0 || !window.IsOpen)
        {
            return new PollAnswer([], 0, moreAvailable: false);
        }

        var signal = signals.Next(streamId);
        var entries = await ReadDeliverableAsync(streamId, window, max + 1, deliveries, lifecycle, cancellationToken);
        if (entries.Count == 0 && !poll.ReturnImmediately && !window.IsClosingAfterNotice)
        {
            // RFC 8936 §2.1 long poll: wait for an entry or the timeout, then answer; a server
            // shutting down answers at once with what there is, so that the poll does not hold it.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            await Task.WhenAny(signal, Task.Delay(TimeSpan.FromSeconds(options.Value.PollWaitSeconds), time, wait.Token));
            if (cancellationToken.IsCancellationRequested)
            {
                return new PollAnswer([], 0, moreAvailable: false);
            }

            entries = await ReadDeliverableAsync(streamId, window, max + 1, deliveries, lifecycle, cancellationToken);
        }

        // One entry past max was read only to tell whether more are available.
        var count = Math.Min(entries.Count, max);
        ServerTracing.HandedOut(streamId, entries, count);
        return new PollAnswer(entries, count, entries.Count > max);
    }

    /// <summary>
    /// A <c>setErrs</c> report is the receiver's answer to a hand-out, so each counts as an attempt and
    /// is kept with its entry, as an acknowledgement is. A hand-out itself is not recorded: it is a
    /// read, and writing it down would make every poll a write.
    /// </summary>
    private static IReadOnlyCollection<DeliveryFailure> AsAttempts(IReadOnlyCollection<DeliveryFailure> errors, DateTimeOffset at) =>
        errors.Count == 0 ? errors : [.. errors.Select(f => f with { Attempt = new DeliveryAttempt(at, Error: f.Error, Description: f.Description) })];

    /// <summary>The pending entries <paramref name="window"/> admits; once none before a pause notice is left, the pause holds everything.</summary>
    private static async Task<IReadOnlyList<DeliveryEntry>> ReadDeliverableAsync(
        string streamId, DeliveryWindow window, int max, IDeliveryStore deliveries, StreamLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var pending = await deliveries.ReadPendingAsync(streamId, max, cancellationToken);
        if (window.PauseNoticePosition is not { } notice)
        {
            return pending;
        }

        var deliverable = pending.TakeWhile(e => window.Admits(e.EventPosition)).ToList();
        if (deliverable.Count == 0)
        {
            await lifecycle.PauseNoticeSentAsync(streamId, notice, cancellationToken);
        }

        return deliverable;
    }
}

/// <summary>RFC 8936 §2.2 poll request members.</summary>
internal sealed record PollRequest(int? MaxEvents, bool ReturnImmediately, IReadOnlyCollection<string> Ack, IReadOnlyCollection<DeliveryFailure> Errors)
{
    public static PollRequest Read(JsonBody body)
    {
        var maxEvents = body.Int64("maxEvents");
        if (maxEvents is < 0 or > int.MaxValue)
        {
            body.Errors.Add("maxEvents must be a non-negative integer");
        }

        var failures = new List<DeliveryFailure>();
        if (body.Object("setErrs") is { } setErrs)
        {
            foreach (var member in setErrs.EnumerateObject())
            {
                if (member.Value.ValueKind != JsonValueKind.Object
                    || !member.Value.TryGetProperty("err", out var err) || err.ValueKind != JsonValueKind.String)
                {
                    body.Errors.Add($"setErrs.{member.Name} must be an object with an err string");
                    continue;
                }

                var description = member.Value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                failures.Add(new DeliveryFailure(member.Name, err.GetString()!, description));
            }
        }

        return new PollRequest(
            maxEvents is >= 0 and <= int.MaxValue ? (int)maxEvents : null,
            body.Boolean("returnImmediately") ?? false,
            body.StringArray("ack") ?? [],
            failures);
    }
}
