using System.Diagnostics;
using System.Globalization;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

internal sealed partial class PushClient
{
    /// <summary>
    /// Pushes an entry to its stream's endpoint as one delivery span, linked to the span that took
    /// the event in, and counts the attempt and its duration by outcome (docs/OPERATIONS.md, "Metrics and traces").
    /// </summary>
    public async Task<PushOutcome> PushAsync(StreamRoute route, DeliveryEntry entry, CancellationToken cancellationToken)
    {
        using var span = ServerTracing.StartDelivery("sharpsignals.push", route.StreamId, entry.Jti, entry.TraceParent);
        var started = Stopwatch.GetTimestamp();
        var outcome = await PushAsync(new Uri(route.Configuration.Delivery.EndpointUrl!), route.Configuration.Delivery.AuthorizationHeader, entry.Token ?? entry.EventToken, cancellationToken);
        var label = OutcomeLabel(outcome);
        _metrics.PushAttempt(route.StreamId, route.Project, label, Stopwatch.GetElapsedTime(started));
        if (outcome.Result != PushResult.Delivered)
        {
            ServerTracing.Failed(span, label);
        }

        return outcome;
    }

    /// <summary>The <c>outcome</c> label of an attempt: the class of the HTTP status, <c>err</c>, <c>timeout</c> or <c>network</c>.</summary>
    internal static string OutcomeLabel(PushOutcome outcome) => outcome.Result switch
    {
        PushResult.Delivered => ServerMetrics.PushOutcomes.Success,
        PushResult.Refused => ServerMetrics.PushOutcomes.Err,
        _ when outcome.Error == "timeout" => ServerMetrics.PushOutcomes.Timeout,

        // Every answer that is not 2xx or an RFC 8935 error is described as "HTTP <status>".
        _ when outcome.Error is { } error && error.StartsWith("HTTP ", StringComparison.Ordinal)
            && int.TryParse(error.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var status) =>
            status >= 500 ? ServerMetrics.PushOutcomes.ServerError : ServerMetrics.PushOutcomes.ClientError,
        _ => ServerMetrics.PushOutcomes.Network,
    };
}
