using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// A source that rotates its key: a SET signed with a <c>kid</c> this server has not fetched yet, while
/// the JWKS refresh cooldown holds, is 503 with Retry-After on push and left unacknowledged on poll,
/// and is taken once the keys are fetched again; a <c>kid</c> still unknown after a refetch is
/// invalid_key. The source's JWKS is real, served over loopback; the cooldown runs on a manual clock.
/// </summary>
public sealed class SourceKeyRotationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private TestTransmitter _source = null!;

    public async Task InitializeAsync()
    {
        _source = await TestTransmitter.StartAsync();
        _server = new SsfTestServer(time: _time);
        await SsfTestServer.CreateStreamAsync(_server.Admin, new { events_requested = new[] { "https://schemas.openid.net/secevent/caep/event-type/session-revoked" } });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _source.DisposeAsync();
    }

    [Fact]
    public async Task Push_KidTheSourceJustRotatedTo_Is503WithRetryAfterThenAcceptedOnceTheKeysAreRefetched()
    {
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = _source.Issuer, jwks_uri = _source.JwksUri },
        });
        var streamId = inbound["stream_id"]!.GetValue<string>();
        var credential = inbound["delivery"]!["authorization_header"]!.GetValue<string>();
        using (var first = await PushAsync(streamId, credential, _source.Sign(ServerFactory.Issuer)))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        _source.RotateKey();
        var rotated = _source.Sign(ServerFactory.Issuer);
        using (var early = await PushAsync(streamId, credential, rotated))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            var retryAfter = early.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        }

        Assert.Equal(1, _source.JwksFetches);
        _time.Advance(TimeSpan.FromSeconds(30));
        using (var later = await PushAsync(streamId, credential, rotated))
        {
            Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        }

        Assert.Equal(2, _source.JwksFetches);
        using var stored = await _server.Admin.GetAsync($"/events/{Jti(rotated)}");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        // A kid the source does not publish even after a refetch is refused for good.
        _time.Advance(TimeSpan.FromSeconds(30));
        using var forged = await PushAsync(streamId, credential, _source.Sign(ServerFactory.Issuer, key: SetSigningKey.Generate().SecurityKey));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("invalid_key", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("err").GetString());
        Assert.Equal(3, _source.JwksFetches);
    }

    [Fact]
    public async Task Poll_KidTheSourceJustRotatedTo_IsLeftUnacknowledgedThenAcknowledgedOnceTheKeysAreRefetched()
    {
        await using var poll = await FakePollSource.StartAsync();
        var before = _source.Sign(ServerFactory.Issuer);
        poll.Queue(Jti(before), before);
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8936", endpoint_url = poll.Url, authorization_header = "Bearer poll-credential" },
            source = new { issuer = _source.Issuer, jwks_uri = _source.JwksUri },
        });
        var streamId = inbound["stream_id"]!.GetValue<string>();
        await poll.WaitForAsync(p => p.Any(x => x.Ack.Contains(Jti(before))));

        _source.RotateKey();
        var rotated = _source.Sign(ServerFactory.Issuer);
        poll.Queue(Jti(rotated), rotated);
        await WaitForLastErrorAsync(streamId);

        Assert.DoesNotContain(poll.Polls, p => p.Ack.Contains(Jti(rotated)) || p.SetErrs.ContainsKey(Jti(rotated)));
        Assert.Equal(1, _source.JwksFetches);

        // The poller records the failure just before it waits on the clock: advance again until it polls.
        IReadOnlyList<RecordedPoll>? polls = null;
        for (var advances = 0; polls is null && advances < 10; advances++)
        {
            _time.Advance(TimeSpan.FromSeconds(31));
            try
            {
                polls = await poll.WaitForAsync(p => p.Any(x => x.Ack.Contains(Jti(rotated))), TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException) when (advances < 9)
            {
            }
        }

        Assert.DoesNotContain(polls!, p => p.SetErrs.ContainsKey(Jti(rotated)));
    }

    private async Task WaitForLastErrorAsync(string streamId)
    {
        var stream = await Eventually.GetAsync(
            async () => (await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.Single(s => s!["stream_id"]!.GetValue<string>() == streamId)!,
            s => s["last_error"] is not null,
            $"stream {streamId} to show an error in /admin/streams",
            describe: s => s.ToJsonString());
        Assert.Contains("not known yet", stream["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PushAsync(string streamId, string credential, string token)
    {
        using var client = _server.Factory.CreateClient();
        var content = new StringContent(token, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{streamId}") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", credential);
        return await client.SendAsync(request);
    }

    private static string Jti(string token) =>
        JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]))!["jti"]!.GetValue<string>();
}
