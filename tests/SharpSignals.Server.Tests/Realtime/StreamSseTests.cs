using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>A poll stream read as Server-Sent Events at <c>GET /ssf/sse/{stream_id}</c>, resumed with <c>Last-Event-ID</c>.</summary>
public sealed class StreamSseTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sse_ReconnectWithLastEventId_ResumesAfterItWithoutGapsOrRepeats()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;
        var published = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            published.Add(await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked($"s{i}@example.com")));
        }

        using var http = new HttpClient { BaseAddress = new Uri(_server.Issuer), Timeout = TimeSpan.FromSeconds(30) };

        // The first connection gets all three, then drops after the second was handled.
        List<SseEvent> firstEvents;
        using (var first = await OpenAsync(http, streamId, token, lastEventId: null))
        {
            firstEvents = [await first.NextAsync(), await first.NextAsync(), await first.NextAsync()];
        }

        Assert.All(firstEvents, e => Assert.Equal("set", e.Event));
        Assert.Equal(firstEvents.Select(e => (long)e.Data["position"]!), firstEvents.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)));

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("s4@example.com"));

        // Resuming after the second: the third again (never acknowledged), then the fourth; not the first two.
        using var second = await OpenAsync(http, streamId, token, lastEventId: firstEvents[1].Id);
        var resumed = new[] { await second.NextAsync(), await second.NextAsync() };
        Assert.Equal(firstEvents[2].Id, resumed[0].Id);
        Assert.True(long.Parse(resumed[1].Id!, CultureInfo.InvariantCulture) > long.Parse(resumed[0].Id!, CultureInfo.InvariantCulture));
        await StreamWebSocketTests.WaitForPendingAsync(client, streamId, 2);

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("s5@example.com"));
        var live = await second.NextAsync();
        Assert.True(long.Parse(live.Id!, CultureInfo.InvariantCulture) > long.Parse(resumed[1].Id!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Sse_WithoutValidToken_Is401AndAnotherClientsStreamIs404()
    {
        var (owner, _, _) = await _server.RegisterClientAsync();
        var (other, _, _) = await _server.RegisterClientAsync();
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(owner, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;
        using var http = new HttpClient { BaseAddress = new Uri(_server.Issuer) };

        using var noToken = await http.GetAsync($"/ssf/sse/{streamId}");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{streamId}");
        request.Headers.Authorization = other.DefaultRequestHeaders.Authorization;
        using var foreign = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    internal static async Task<SseReader> OpenAsync(HttpClient http, string streamId, string token, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{streamId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    internal sealed record SseEvent(string? Event, string? Id, JsonObject Data);

    /// <summary>Reads events as an EventSource would (WHATWG HTML §9.2), skipping comments and <c>retry</c>.</summary>
    internal sealed class SseReader(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<SseEvent> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string? name = null, id = null, data = null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        return new SseEvent(name, id, JsonNode.Parse(data)!.AsObject());
                    }

                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "event": name = value; break;
                    case "id": id = value; break;
                    case "data": data = value; break;
                }
            }

            throw new InvalidOperationException("The event stream ended.");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
