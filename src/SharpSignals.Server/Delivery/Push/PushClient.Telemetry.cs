using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
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
        var delivery = route.Configuration.Delivery;
        var set = entry.Token ?? entry.EventToken;
        var outcome = delivery.OAuth is { } oauth
            ? await PushWithAccessTokenAsync(route, oauth, set, cancellationToken)
            : await PushAsync(new Uri(delivery.EndpointUrl!), delivery.AuthorizationHeader, set, cancellationToken);
        var label = OutcomeLabel(outcome);
        _metrics.PushAttempt(route.StreamId, route.Project, label, outcome.Duration);
        if (outcome.Result != PushResult.Delivered)
        {
            ServerTracing.Failed(span, label);
        }

        return outcome;
    }

    /// <summary>
    /// Pushes with the stream's access token from its receiver's token endpoint. RFC 6750 §3.1: a 401
    /// says the token is no longer good (expired early, or revoked), so it is renewed once and the SET
    /// pushed once more before the attempt counts; a token endpoint that gives no token is a failed
    /// attempt, retried like any other.
    /// </summary>
    private async Task<PushOutcome> PushWithAccessTokenAsync(StreamRoute route, ReceiverOAuth oauth, string set, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(route.Configuration.Delivery.EndpointUrl!);
        string? refused = null;
        while (true)
        {
            string authorization;
            try
            {
                authorization = await _tokens.AuthorizationAsync(route, oauth, refused, cancellationToken);
            }
            catch (ReceiverTokenException ex)
            {
                return new PushOutcome(PushResult.Retry, ex.Reason) { AtTokenEndpoint = true };
            }

            var outcome = await PushAsync(endpoint, authorization, set, cancellationToken);
            if (outcome.Status != 401 || refused is not null)
            {
                return outcome;
            }

            refused = authorization;
        }
    }

    /// <summary>The <c>outcome</c> label of an attempt: the class of the HTTP status, <c>err</c>, <c>timeout</c>, <c>network</c> or <c>token</c>.</summary>
    internal static string OutcomeLabel(PushOutcome outcome) => outcome.Result switch
    {
        PushResult.Delivered => ServerMetrics.PushOutcomes.Success,
        PushResult.Refused => ServerMetrics.PushOutcomes.Err,
        _ when outcome.AtTokenEndpoint => ServerMetrics.PushOutcomes.Token,
        _ when outcome.Status >= 500 => ServerMetrics.PushOutcomes.ServerError,
        _ when outcome.Status is not null => ServerMetrics.PushOutcomes.ClientError,
        _ when outcome.Error == "timeout" => ServerMetrics.PushOutcomes.Timeout,
        _ => ServerMetrics.PushOutcomes.Network,
    };
}
