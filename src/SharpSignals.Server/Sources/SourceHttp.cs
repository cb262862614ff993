using SharpSignals.Client;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Sources;

/// <summary>
/// HTTP to the transmitters this server receives from (discovery, keys, polls, stream management),
/// over the guarded pooled handler: every <see cref="SharedSignalsClient"/> the server makes for a
/// source sends through <see cref="Client"/> and shares one access-token cache. Answers are read up to
/// a size limit, so a hostile source cannot make this server buffer without end.
/// </summary>
internal sealed class SourceHttp : IDisposable
{
    /// <summary>The largest answer read from a source (a poll of 1,000 SETs fits well within it).</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>
    /// SSF 1.0 §8.1 management and reading, as the conformance suite's transmitter asks for
    /// (docs/STANDARDS.md, "The OpenID conformance suite").
    /// </summary>
    public const string Scope = "ssf.manage ssf.read";

    // One cache for every source: keyed by token endpoint, client and a hash of the secret, so a
    // stream with another secret never gets this one's token.
    private readonly AccessTokenCache _tokens = new();

    public SourceHttp(OutboundAddressPolicy addresses)
    {
        // Time-outs are per call (a long poll waits longer than a key fetch).
        Client = new HttpClient(GuardedHttpHandler.Create(addresses)) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    public HttpClient Client { get; }

    /// <summary>A client over the guarded HttpClient, with the access tokens every source client shares.</summary>
    public SharedSignalsClient For(SharedSignalsClientOptions options, TimeProvider? time = null) => new(Client, options, time, _tokens);

    /// <summary>
    /// A client with the source's credential (docs/API.md, "Inbound streams"): its fixed
    /// <c>authorization_header</c>, else an access token by the client credentials grant (RFC 6749 §4.4)
    /// from its <c>token_endpoint</c> (<c>/oauth/token</c> under its issuer when none is named), kept
    /// in the shared cache by endpoint, client and secret until shortly before it expires.
    /// </summary>
    public SharedSignalsClient For(SourceConfiguration source, TimeSpan timeout, TimeProvider time) => For(new SharedSignalsClientOptions
    {
        Issuer = source.Issuer,
        AuthorizationHeader = source.AuthorizationHeader,
        ClientId = source.ClientId,
        ClientSecret = source.ClientSecret,
        TokenEndpoint = source.TokenEndpoint,
        Scope = Scope,
        Timeout = timeout,
    }, time);

    /// <summary>GETs a document (a JWKS, a discovery document), failing on any non-2xx answer or after <paramref name="timeout"/>.</summary>
    /// <exception cref="SharedSignalsClientException">The document could not be read.</exception>
    public Task<string> GetStringAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(new SharedSignalsClientOptions { Timeout = timeout }).GetDocumentAsync(uri, cancellationToken);

    public void Dispose() => Client.Dispose();
}
