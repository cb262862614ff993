using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// An inbound poll stream polling a fake RFC 8936 source over loopback: acknowledgements only for what
/// was stored, refusals in <c>setErrs</c> with their RFC 8935 code, <c>moreAvailable</c> followed,
/// failures backed off and shown in <c>/admin/streams</c>, <c>Retry-After</c> honoured, pauses respected.
/// </summary>
public sealed class SourcePollerTests : IAsyncLifetime
{
    private const string Credential = "Bearer fake-source-credential";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private TestTransmitter _transmitter = null!;
    private FakePollSource _source = null!;
    private string _outboundId = null!;

    public async Task InitializeAsync()
    {
        _transmitter = await TestTransmitter.StartAsync();
        _source = await FakePollSource.StartAsync();
        _server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Inbound:PollMaxEvents"] = "3" }, _time);
        var outbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new { events_requested = new[] { "https://schemas.openid.net/secevent/caep/event-type/session-revoked" } });
        _outboundId = outbound["stream_id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _source.DisposeAsync();
        await _transmitter.DisposeAsync();
    }

    [Fact]
    public async Task Poll_AnswerWithInvalidSets_AcksTheValidOnesAfterStoringAndReturnsTheOthersInSetErrs()
    {
        var good1 = Queue(_transmitter.Claims(ServerFactory.Issuer));
        var wrongAudience = Queue(_transmitter.Claims("https://someone-else.example.com"));
        var unsigned = QueueToken(TestTransmitter.Unsigned(_transmitter.Claims(ServerFactory.Issuer)));
        var good2 = Queue(_transmitter.Claims(ServerFactory.Issuer));

        await CreateInboundAsync();
        var polls = await _source.WaitForAsync(p => Acked(p).Contains(good2) && Errored(p).Count == 2);

        Assert.All(polls, p => Assert.Equal(Credential, p.Authorization));
        Assert.Equal(3, polls[0].Body["maxEvents"]!.GetValue<int>());
        Assert.False(polls[0].Body["returnImmediately"]!.GetValue<bool>());
        Assert.Empty(polls[0].Ack);

        // Four queued, three per answer: moreAvailable is followed at once, with the first answer settled.
        Assert.True(polls[1].Body["returnImmediately"]!.GetValue<bool>());
        Assert.Equal([good1], polls[1].Ack);
        Assert.Equal("invalid_audience", polls[1].SetErrs[wrongAudience]!["err"]!.GetValue<string>());
        Assert.Equal("invalid_request", polls[1].SetErrs[unsigned]!["err"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(polls[1].SetErrs[unsigned]!["description"]!.GetValue<string>()));
        Assert.Equal([good1, good2], Acked(polls));

        foreach (var refused in new[] { wrongAudience, unsigned })
        {
            using var found = await _server.Admin.GetAsync($"/events/{refused}");
            Assert.Equal(HttpStatusCode.NotFound, found.StatusCode);
        }

        var routed = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        var txns = new List<string?>();
        foreach (var (_, token) in routed["sets"]!.AsObject())
        {
            txns.Add((await _server.ValidateAsync(token!.GetValue<string>())).Set!.Txn);
        }

        Assert.Equal(2, txns.Count);
        Assert.All(txns, Assert.NotNull);
    }

    [Fact]
    public async Task Poll_ValidlySignedSetThatCannotBeRead_IsReturnedInSetErrsAndTheNextSetIsDelivered()
    {
        var poison = "poison-" + Guid.NewGuid().ToString("N");
        _source.Queue(poison, _transmitter.SignPoison(ServerFactory.Issuer, "lone surrogate in sub_id", poison));
        var next = Queue(_transmitter.Claims(ServerFactory.Issuer));

        await CreateInboundAsync();
        var polls = await _source.WaitForAsync(p => Acked(p).Contains(next) && Errored(p).Contains(poison));

        var refused = polls.Last(p => p.SetErrs.ContainsKey(poison)).SetErrs[poison]!;
        Assert.Equal("invalid_request", refused["err"]!.GetValue<string>());
        Assert.DoesNotContain(poison, Acked(polls));
        var routed = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        Assert.Single(routed["sets"]!.AsObject());
    }

    [Fact]
    public async Task Poll_SourceRefusingTheCredential_ShowsLastErrorAndRecoversWithoutLosingTheSet()
    {
        var failing = true;
        _source.Fail = _ => Volatile.Read(ref failing) ? (401, null) : null;
        var jti = Queue(_transmitter.Claims(ServerFactory.Issuer));
        var streamId = await CreateInboundAsync();
        await _source.WaitForAsync(p => p.Count >= 1);

        var shown = await WaitForAdminAsync(streamId, s => s["last_error"] is not null);
        Assert.Equal("HTTP 401", shown["last_error"]!.GetValue<string>());

        // Backing off on the service's clock: no poll is sent until it moves on. The back-off starts in
        // the same step that shows the error, and the clock stands still.
        var polled = _source.Polls.Count;
        Assert.Equal(polled, _source.Polls.Count);

        Volatile.Write(ref failing, false);

        // The error shows a moment before the back-off's timer is made: under load the first move of
        // the clock may come before it, so the clock goes on moving until the poll is sent.
        await Eventually.TrueAsync(
            () => Task.FromResult(Acked(_source.Polls).Contains(jti)),
            "the SET to be acknowledged once the back-off is over",
            meanwhile: () => _time.Advance(TimeSpan.FromSeconds(10)));
        await WaitForAdminAsync(streamId, s => s["last_error"] is null);
    }

    [Fact]
    public async Task Poll_429WithRetryAfter_WaitsThatLongBeforePollingAgain()
    {
        _source.Fail = n => n == 0 ? (429, new Dictionary<string, string> { ["Retry-After"] = "120" }) : null;
        var jti = Queue(_transmitter.Claims(ServerFactory.Issuer));
        var streamId = await CreateInboundAsync();
        // The wait for Retry-After starts in the same step that shows the error.
        await WaitForAdminAsync(streamId, s => s["last_error"]?.GetValue<string>() == "HTTP 429");

        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Single(_source.Polls);

        _time.Advance(TimeSpan.FromSeconds(21));
        await _source.WaitForAsync(p => Acked(p).Contains(jti));
    }

    [Fact]
    public async Task Poll_PausedStream_IsNotPolledUntilEnabledAgain()
    {
        var streamId = await CreateInboundAsync();
        await _source.WaitForAsync(p => p.Count >= 1);

        // Kept: no condition shows that a poller did not poll. The first wait lets a poll under way when
        // the pause came end; the second is the window in which none may start.
        await SetStatusAsync(streamId, "paused");
        await Task.Delay(300);
        var whilePaused = _source.Polls.Count;
        var jti = Queue(_transmitter.Claims(ServerFactory.Issuer));
        await Task.Delay(1000);
        Assert.Equal(whilePaused, _source.Polls.Count);

        await SetStatusAsync(streamId, "enabled");
        await _source.WaitForAsync(p => Acked(p).Contains(jti));
    }

    private async Task<string> CreateInboundAsync()
    {
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8936", endpoint_url = _source.Url, authorization_header = Credential },
            source = new { issuer = _transmitter.Issuer },
        });
        return inbound["stream_id"]!.GetValue<string>();
    }

    private async Task SetStatusAsync(string streamId, string status)
    {
        using var response = await _server.Admin.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<JsonObject> WaitForAdminAsync(string streamId, Func<JsonObject, bool> condition) =>
        Eventually.GetAsync(
            async () => (await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.Single(s => s!["stream_id"]!.GetValue<string>() == streamId)!.AsObject(),
            condition,
            $"stream {streamId} in /admin/streams to change",
            describe: stream => stream.ToJsonString());

    private string Queue(JsonObject claims) => QueueToken(_transmitter.Sign(ServerFactory.Issuer, claims));

    private string QueueToken(string token)
    {
        var payload = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]))!;
        var jti = payload["jti"]!.GetValue<string>();
        _source.Queue(jti, token);
        return jti;
    }

    private static List<string> Acked(IReadOnlyList<RecordedPoll> polls) => [.. polls.SelectMany(p => p.Ack).Distinct()];

    private static HashSet<string> Errored(IReadOnlyList<RecordedPoll> polls) => [.. polls.SelectMany(p => p.SetErrs.Select(e => e.Key))];
}
