using System.Net;
using System.Net.Http.Headers;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The source's side of RFC 8935 push into one inbound stream: one SET per POST to the stream's
/// <c>endpoint_url</c>, with the stream's receive credential, answered 202 once stored; pooled
/// keep-alive connections, one per concurrent sender up to <see cref="MaxConnections"/>. The cap is
/// a real source's bounded pool: when a paced load outruns the server, further SETs wait in the
/// client (and their latency, counted from their scheduled send, shows it) instead of opening
/// thousands of connections whose buffers would inflate the server's memory figure.
/// </summary>
internal sealed class InboundPusher : IDisposable
{
    public const int MaxConnections = 256;

    private static readonly MediaTypeHeaderValue SetType = new(SetMediaTypes.ContentType);

    private readonly HttpClient _client;
    private readonly Uri _endpoint;

    public InboundPusher(string endpointUrl, string credential)
    {
        _endpoint = new Uri(endpointUrl);
        var handler = SsfClient.NewHandler();
        handler.MaxConnectionsPerServer = MaxConnections;
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        _client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", credential);
    }

    /// <summary>Pushes one SET: null once answered 202, else what came back.</summary>
    public async Task<string?> PushAsync(byte[] token)
    {
        using var content = new ByteArrayContent(token);
        content.Headers.ContentType = SetType;
        using var response = await _client.PostAsync(_endpoint, content);
        return response.StatusCode == HttpStatusCode.Accepted
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
    }

    public void Dispose() => _client.Dispose();
}
