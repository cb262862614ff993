using System.Text.Json;

namespace SharpSignals.Client;

public sealed partial class SharedSignalsClient
{
    /// <summary>
    /// One poll (RFC 8936 §2.2): acknowledges the SETs in <see cref="PollRequest.Ack"/>, returns those
    /// in <see cref="PollRequest.SetErrs"/> as refused, and receives up to <see cref="PollRequest.MaxEvents"/>
    /// SETs, waiting for them (long poll) unless <see cref="PollRequest.ReturnImmediately"/>.
    /// </summary>
    /// <param name="endpointUrl">The stream's poll endpoint, its <c>delivery.endpoint_url</c>.</param>
    /// <param name="request">What to send.</param>
    /// <param name="timeout">How long the answer may take (a long poll's wait and a margin); the options' time-out when null.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The SETs in the order the transmitter listed them.</returns>
    /// <exception cref="SharedSignalsClientException">The poll failed, or the answer is not an RFC 8936 §2.3 answer.</exception>
    public async Task<PollResponse> PollAsync(string endpointUrl, PollRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = await SendAsync(new SharedSignalsRequest(HttpMethod.Post, endpointUrl)
        {
            Utf8Body = JsonSerializer.SerializeToUtf8Bytes(request, ClientJsonContext.Default.PollRequest),
            Timeout = timeout,
            Action = "poll",
        }, cancellationToken).ConfigureAwait(false);
        return PollResponse.Read(answer.Body) ?? throw new SharedSignalsClientException($"{endpointUrl} answered a poll without a sets object.") { Status = answer.Status, ResponseBody = answer.Body };
    }

    /// <summary>The poll endpoint of a stream on a SharpSignals server, <c>ssf/poll/{stream_id}</c> under the issuer.</summary>
    /// <param name="streamId">The stream.</param>
    /// <returns>The endpoint, relative to the issuer.</returns>
    public static string PollEndpoint(string streamId) => "ssf/poll/" + Uri.EscapeDataString(streamId);
}
