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
        var outcome = await PushAsync(new Uri(route.Configuration.Delivery.EndpointUrl!), route.Configuration.Delivery.AuthorizationHeader, entry.Token ?? entry.EventToken, cancellationToken);
        var label = OutcomeLabel(outcome);
        _metrics.PushAttempt(route.StreamId, route.Project, label, outcome.Duration);
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
        _ when outcome.Status >= 500 => ServerMetrics.PushOutcomes.ServerError,
        _ when outcome.Status is not null => ServerMetrics.PushOutcomes.ClientError,
        _ when outcome.Error == "timeout" => ServerMetrics.PushOutcomes.Timeout,
        _ => ServerMetrics.PushOutcomes.Network,
    };
}
