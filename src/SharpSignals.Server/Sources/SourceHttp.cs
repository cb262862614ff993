using SharpSignals.Client;
using SharpSignals.Server.Outbound;

namespace SharpSignals.Server.Sources;

/// <summary>
/// HTTP to the transmitters this server receives from (discovery, keys, polls, stream management),
/// over the guarded pooled handler: every <see cref="SharedSignalsClient"/> the server makes for a
/// source sends through <see cref="Client"/>. Answers are read up to a size limit, so a hostile source
/// cannot make this server buffer without end.
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

    /// <summary>A client over the guarded HttpClient.</summary>
    public SharedSignalsClient For(SharedSignalsClientOptions options, TimeProvider? time = null) => new(Client, options, time);

    /// <summary>GETs a document (a JWKS, a discovery document), failing on any non-2xx answer or after <paramref name="timeout"/>.</summary>
    /// <exception cref="SharedSignalsClientException">The document could not be read.</exception>
    public Task<string> GetStringAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(new SharedSignalsClientOptions { Timeout = timeout }).GetDocumentAsync(uri, cancellationToken);

    public void Dispose() => Client.Dispose();
}
