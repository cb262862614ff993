using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Admin;

public sealed class AdminApiTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private HttpClient _receiver = null!;
    private string _streamId = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer();
        (_receiver, _, _) = await _server.RegisterClientAsync("default");
        _streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new { }))["stream_id"]!;
    }

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task DeadLetters_AreListedWithTheBacklogAndCanBeRetried()
    {
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked());
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("bob@example.com"));
        var jtis = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => s.Key).ToList();
        await SsfTestServer.PollAsync(_receiver, _streamId, new { maxEvents = 0, returnImmediately = true, setErrs = new Dictionary<string, object> { [jtis[0]] = new { err = "invalid_audience", description = "no" } } });

        var streams = await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams");
        var dead = await _server.Admin.GetFromJsonAsync<JsonArray>($"/admin/streams/{_streamId}/deadletters");
        using var retried = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/deadletters/retry", new { jtis = new[] { jtis[0] } });
        var after = await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true });

        var stream = Assert.Single(streams!);
        Assert.Equal(1, (int)stream!["pending"]!);
        Assert.Equal(1, (int)stream["dead_letters"]!);
        Assert.Equal("invalid_audience: no", (string?)stream["last_error"]);
        Assert.Equal(jtis[0], (string?)Assert.Single(dead!)!["jti"]);
        Assert.Equal(1, (int)(await retried.Content.ReadFromJsonAsync<JsonObject>())!["count"]!);
        Assert.Equal(jtis.ToHashSet(), after["sets"]!.AsObject().Select(s => s.Key).ToHashSet());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("lots")]
    public async Task DeadLetters_ABadMax_Is400(string max)
    {
        using var response = await _server.Admin.GetAsync($"/admin/streams/{_streamId}/deadletters?max={max}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("max must be a whole number from 1 to 10000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(253_402_300_800)]
    [InlineData(long.MaxValue)]
    public async Task Replay_FromATimeNoDateCanHold_Is400(long seconds)
    {
        // DateTimeOffset cannot hold these: the replay answered 500.
        using var response = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/replay", new { from_time = seconds, dry_run = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from_time must be seconds since 1970", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_FromAJti_DeliversTheSameSetsAgain()
    {
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked());
        var first = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Single();
        await SsfTestServer.PollAsync(_receiver, _streamId, new { maxEvents = 0, ack = new[] { first.Key } });

        using var replay = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/replay", new { from_jti = first.Key });
        using var both = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/replay", new { from_jti = first.Key, from_position = 1 });
        var again = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Single();

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(first.Key, again.Key);
        Assert.Equal((string?)first.Value, (string?)again.Value);
    }

    [Fact]
    public async Task Replay_ByTimeAndByPosition_DryRunCountsAndPendingIsNotDuplicated()
    {
        for (var i = 0; i < 3; i++)
        {
            await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked($"user{i}@example.com"));
        }

        var sets = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => s.Key).ToList();
        await SsfTestServer.PollAsync(_receiver, _streamId, new { maxEvents = 0, ack = sets.Take(2).ToArray() });

        // Two delivered, one still pending: replay counts and re-queues the delivered ones only.
        Assert.Equal(2, await ReplayAsync(new { from_time = 0, dry_run = true }));
        Assert.Equal(0, await ReplayAsync(new { from_time = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), dry_run = true }));
        Assert.Equal(2, await ReplayAsync(new { from_position = 1, dry_run = true }));
        Assert.Equal(0, await ReplayAsync(new { from_position = long.MaxValue, dry_run = true }));
        Assert.Equal(sets[2], Assert.Single((await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject()).Key);

        Assert.Equal(2, await ReplayAsync(new { from_time = 0 }));
        var again = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => s.Key).ToList();
        Assert.Equal(sets.Order(), again.Order());
    }

    [Fact]
    public async Task DeadLetters_CanBeDiscarded()
    {
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked());
        var jti = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Single().Key;
        await SsfTestServer.PollAsync(_receiver, _streamId, new { maxEvents = 0, returnImmediately = true, setErrs = new Dictionary<string, object> { [jti] = new { err = "invalid_key", description = "unknown kid" } } });

        using var discarded = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/deadletters/discard", new { });
        var dead = await _server.Admin.GetFromJsonAsync<JsonArray>($"/admin/streams/{_streamId}/deadletters");
        var after = await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true });

        Assert.Equal(1, (int)(await discarded.Content.ReadFromJsonAsync<JsonObject>())!["count"]!);
        Assert.Empty(dead!);
        Assert.Empty(after["sets"]!.AsObject());
    }

    private async Task<int> ReplayAsync(object body)
    {
        using var response = await _server.Admin.PostAsJsonAsync($"/admin/streams/{_streamId}/replay", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["count"]!;
    }

    [Fact]
    public async Task RotateKeyNow_NewSetsUseTheNewKeyAtOnceAndTheOldOneStaysPublished()
    {
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked());
        var before = (string)(await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Single().Value!;

        using var rotated = await _server.Admin.PostAsJsonAsync("/admin/keys/rotate", new { algorithm = "RS256", now = true });
        var newKid = (string)(await rotated.Content.ReadFromJsonAsync<JsonObject>())!["kid"]!;
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("bob@example.com"));
        var sets = (await SsfTestServer.PollAsync(_receiver, _streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => (string)s.Value!).ToList();
        var keys = await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/keys");

        Assert.Equal(2, keys!.Count);
        Assert.Equal("active", (string?)keys[0]!["state"]);
        Assert.Equal(newKid, (string?)keys[0]!["kid"]);
        var after = sets.Single(s => s != before);
        var result = await _server.ValidateAsync(after);
        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(newKid, result.KeyId);
        Assert.Equal("RS256", result.Algorithm);
        Assert.True((await _server.ValidateAsync(before)).IsValid);
    }

    [Fact]
    public async Task AdminApi_NeedsTheAdminScope()
    {
        using var response = await _receiver.GetAsync(new Uri("/admin/streams", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
