using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SharpSignals.Client;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Receiver.Transmitter;

/// <summary>
/// This application as an SSF receiver calling its transmitter (SSF 1.0 §7 and §8.1) through
/// <see cref="SharedSignalsClient"/>: discovery, stream configuration, status and verification, the
/// RFC 8936 poll, and the JWKS. Each call takes a pooled HttpClient from <see cref="IHttpClientFactory"/>
/// (the named client <see cref="HttpClientName"/>); access tokens are kept across calls. Every failure
/// is a <see cref="TransmitterException"/>.
/// </summary>
internal sealed class TransmitterClient
{
    /// <summary>The named HttpClient the receiver registers; its time-outs are per call (a long poll waits longer).</summary>
    public const string HttpClientName = "SharpSignals.Receiver";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly IHttpClientFactory _factory;
    private readonly SharedSignalsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly AccessTokenCache _tokens = new();
    private readonly string _issuer;

    public TransmitterClient(IHttpClientFactory factory, IOptions<SharedSignalsReceiverOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _factory = factory;
        _time = time;
        _issuer = settings.Issuer;
        _options = new SharedSignalsClientOptions
        {
            Issuer = settings.Issuer,
            AuthorizationHeader = settings.AuthorizationHeader,
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            TokenEndpoint = settings.TokenEndpoint,
            Scope = settings.Scope,
            Timeout = CallTimeout,
        };
    }

    /// <summary>SSF 1.0 §7: the transmitter's metadata, which must name exactly the configured issuer.</summary>
    public Task<TransmitterMetadata> DiscoverAsync(CancellationToken cancellationToken) =>
        CallAsync(() => Client(null).DiscoverAsync(cancellationToken));

    /// <summary>GETs a public document (the JWKS).</summary>
    public Task<string> GetStringAsync(Uri url, CancellationToken cancellationToken) =>
        CallAsync(() => Client(null).GetDocumentAsync(url, cancellationToken));

    /// <summary>SSF 1.0 §8.1.1.1: creates a stream.</summary>
    public async Task<StreamConfiguration> CreateStreamAsync(TransmitterMetadata metadata, JsonObject body, CancellationToken cancellationToken)
    {
        var client = Client(metadata);
        return Checked(await CallAsync(() => client.CreateStreamAsync(body, cancellationToken)), metadata);
    }

    /// <summary>SSF 1.0 §8.1.1.2: reads a stream; null when the transmitter no longer knows it (404).</summary>
    public async Task<StreamConfiguration?> ReadStreamAsync(TransmitterMetadata metadata, string streamId, CancellationToken cancellationToken)
    {
        var client = Client(metadata);
        try
        {
            return Checked(await CallAsync(() => client.GetStreamAsync(streamId, cancellationToken)), metadata);
        }
        catch (TransmitterException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>SSF 1.0 §8.1.1.3: changes receiver-supplied members; null when the transmitter will apply it later (202).</summary>
    public async Task<StreamConfiguration?> UpdateStreamAsync(TransmitterMetadata metadata, JsonObject body, CancellationToken cancellationToken)
    {
        var client = Client(metadata);
        var answer = await CallAsync(() => client.UpdateStreamAsync(body, cancellationToken));
        return answer is null ? null : Checked(answer, metadata);
    }

    /// <summary>SSF 1.0 §8.1.2.1: the stream's status (<c>enabled</c>, <c>paused</c>, <c>disabled</c>), or null when the transmitter has no status endpoint.</summary>
    public async Task<string?> ReadStatusAsync(TransmitterMetadata metadata, string streamId, CancellationToken cancellationToken)
    {
        if (metadata.StatusEndpoint is null)
        {
            return null;
        }

        var client = Client(metadata);
        var answer = await CallAsync(() => client.GetStatusAsync(streamId, cancellationToken));
        return answer is JsonObject json && json["status"] is JsonValue status && status.TryGetValue<string>(out var text) ? text : null;
    }

    /// <summary>SSF 1.0 §8.1.4.2: asks for a verification event carrying <paramref name="state"/>.</summary>
    public Task RequestVerificationAsync(TransmitterMetadata metadata, string streamId, string state, CancellationToken cancellationToken)
    {
        if (metadata.VerificationEndpoint is null)
        {
            throw new TransmitterException($"{_issuer} advertises no verification_endpoint, so the stream cannot be verified (VerifyOnStart false goes without).");
        }

        var client = Client(metadata);
        return CallAsync(async () =>
        {
            await client.VerifyAsync(streamId, state, cancellationToken);
            return true;
        });
    }

    /// <summary>RFC 8936 §2: one poll.</summary>
    public Task<PollResponse> PollAsync(string endpoint, PollRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(() => Client(null).PollAsync(endpoint, request, timeout, cancellationToken));

    /// <summary>A client over a pooled HttpClient for one call, with the transmitter's endpoints when known.</summary>
    private SharedSignalsClient Client(TransmitterMetadata? metadata) =>
        new(_factory.CreateClient(HttpClientName), _options, _time, _tokens) { Metadata = metadata };

    /// <summary>
    /// A stream configuration as the transmitter answered it, with what this receiver needs checked
    /// (SSF 1.0 §8.1.1): <c>iss</c> is the discovered issuer, and <c>stream_id</c>, <c>aud</c>,
    /// <c>events_delivered</c> and <c>delivery.method</c> are present.
    /// </summary>
    private StreamConfiguration Checked(JsonNode? answer, TransmitterMetadata metadata)
    {
        var (stream, _, errors) = StreamConfiguration.Read(answer, _issuer);
        if (stream is { DeliveryMethod: null })
        {
            errors.Add("delivery.method is missing");
        }

        return errors.Count == 0
            ? stream!
            : throw new TransmitterException($"{metadata.ConfigurationEndpoint} answered a stream configuration this receiver cannot use: {string.Join("; ", errors)}.");
    }

    /// <summary>The client's failure as this library's, with the cause (the network, a late answer) kept for the retry policy.</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (SharedSignalsClientException ex)
        {
            throw new TransmitterException(ex.Message, ex.InnerException ?? ex) { Status = ex.Status, RetryAfter = ex.RetryAfter };
        }
    }
}
