using SharpSignals.Server.Outbound;


namespace SharpSignals.Server.Sources;

/// <summary>
/// HTTP to the transmitters this server receives from (discovery, keys, polls, stream management),
/// over the guarded pooled handler. Answers are read up to a size limit, so a hostile source cannot
/// make this server buffer without end.
/// </summary>
internal sealed class SourceHttp : IDisposable
{
    /// <summary>The largest answer read from a source (a poll of 1,000 SETs fits well within it).</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    public SourceHttp(OutboundAddressPolicy addresses)
    {
        // Time-outs are per call (a long poll waits longer than a key fetch).
        Client = new HttpClient(GuardedHttpHandler.Create(addresses)) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    public HttpClient Client { get; }

    /// <summary>GETs a document, failing on any non-2xx answer or after <paramref name="timeout"/>.</summary>
    public async Task<string> GetStringAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var response = await Client.GetAsync(uri, deadline.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {uri} answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        return await response.Content.ReadAsStringAsync(deadline.Token);
    }

    public void Dispose() => Client.Dispose();
}
