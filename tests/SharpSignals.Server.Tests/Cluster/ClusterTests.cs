using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using Xunit.Abstractions;

namespace SharpSignals.Server.Tests.Cluster;

/// <summary>
/// docs/ARCHITECTURE.md, "Cluster": nodes as real processes on one PostgreSQL database. Any node takes
/// publishes and polls and wakes the others' long polls; one node at a time pushes a stream, and
/// when it is killed another takes the stream over with nothing lost and order kept; a node that
/// loses the database answers 503 instead of accepting what it cannot store.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();
    private RecordingReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task PublishOnA_LongPollOnB_WakesByNoticeNotByTheCheck()
    {
        // A check every 30 s: only the notice from A can wake B's long poll within the second.
        var a = await _cluster.StartNodeAsync("node-a", checkSeconds: 30);
        var b = await _cluster.StartNodeAsync("node-b", checkSeconds: 30);
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var adminB = b.CreateClient(_cluster.AdminToken, TimeSpan.FromSeconds(60));
        var streamId = (await SsfTestServer.CreateStreamAsync(adminA, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!.GetValue<string>();

        // The stream A created is known to B (its catalog follows A's notice).
        await WaitUntilAsync(async () => await StatusAsync(adminB.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true })) == HttpStatusCode.OK, "B to know A's stream");
        // Kept: B's poll must be waiting before A publishes, and nothing outside B's process shows a
        // waiting poll; a moment in which it did not return has to do.
        var longPoll = SsfTestServer.PollAsync(adminB, streamId, new { returnImmediately = false, maxEvents = 10 });
        await Task.Delay(500);
        var published = Stopwatch.StartNew();
        await PublishForAsync(adminA, "alice@example.com");
        var answer = await longPoll;
        published.Stop();

        var set = Assert.Single(answer["sets"]!.AsObject());
        Assert.Equal("alice@example.com", SubjectOf(set.Value!.GetValue<string>()));
        var jti = set.Key;
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(3), $"B's long poll took {published.Elapsed.TotalMilliseconds:0} ms to wake");
        output.WriteLine($"publish on A to B's long poll answering: {published.Elapsed.TotalMilliseconds:0} ms");

        // Acknowledged on B, gone for A too.
        await SsfTestServer.PollAsync(adminB, streamId, new { returnImmediately = true, ack = new[] { jti } });
        Assert.Empty((await SsfTestServer.PollAsync(adminA, streamId, new { returnImmediately = true }))["sets"]!.AsObject());
    }

    [Fact]
    public async Task KeysRotatedOnA_AreServedAndUsedByB()
    {
        var a = await _cluster.StartNodeAsync("node-a");
        var b = await _cluster.StartNodeAsync("node-b");
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var adminB = b.CreateClient(_cluster.AdminToken);
        var before = await ActiveKidAsync(adminB);

        using var rotated = await adminA.PostAsJsonAsync("/admin/keys/rotate", new { now = true });
        rotated.EnsureSuccessStatusCode();
        var after = await ActiveKidAsync(adminA);

        Assert.NotEqual(before, after);
        await WaitUntilAsync(async () => await ActiveKidAsync(adminB) == after, "B to sign with the key A rotated to");
        var jwks = JsonNode.Parse(await adminB.GetStringAsync(new Uri("/jwks.json", UriKind.Relative)))!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>());
        Assert.Contains(after, jwks);
        Assert.Contains(before, jwks);
    }

    [Fact]
    public async Task KeyRotatedOnAWithALeadTime_IsPublishedByBFirstThenSignsOnBothFromTheStoredTime()
    {
        string[] lead = ["--SharpSignals:Signing:RotationLeadSeconds=30"];
        var a = await _cluster.StartNodeAsync("node-a", settings: lead);
        var b = await _cluster.StartNodeAsync("node-b", settings: lead);
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var adminB = b.CreateClient(_cluster.AdminToken);
        var before = await ActiveKidAsync(adminB);

        using var rotated = await adminA.PostAsJsonAsync("/admin/keys/rotate", new { });
        rotated.EnsureSuccessStatusCode();
        var next = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString()!;

        await WaitUntilAsync(async () => (await adminB.GetStringAsync(new Uri("/jwks.json", UriKind.Relative))).Contains(next, StringComparison.Ordinal), "B to publish the next key");
        var onB = await adminB.GetFromJsonAsync<JsonElement>(new Uri("/admin/keys", UriKind.Relative));
        Assert.Equal("next", onB.EnumerateArray().Single(k => k.GetProperty("kid").GetString() == next).GetProperty("state").GetString());
        Assert.Equal(before, await ActiveKidAsync(adminB));
        Assert.Equal(before, await ActiveKidAsync(adminA));

        // No node is told: each reads the stored time against its clock.
        await WaitUntilAsync(async () => await ActiveKidAsync(adminA) == next && await ActiveKidAsync(adminB) == next, "both nodes to sign with the next key", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task PushOwnerKilled_AnotherNodeTakesOver_EveryAcceptedEventArrivesInOrderPerSubject()
    {
        var a = await _cluster.StartNodeAsync("node-a");
        var b = await _cluster.StartNodeAsync("node-b");
        var nodes = new Dictionary<string, ServerProcess> { ["node-a"] = a, ["node-b"] = b };

        // A receiver slow enough that delivery is still going on when the owner dies.
        _receiver.Respond = (_, _) =>
        {
            // The receiver's pace is the scenario, not a wait.
            Thread.Sleep(5);
            return (202, null, null);
        };
        using var admin = a.CreateClient(_cluster.AdminToken);
        var streamId = (await SsfTestServer.CreateStreamAsync(admin, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = DeliveryMethods.Push, endpoint_url = _receiver.Url() },
        }))["stream_id"]!.GetValue<string>();
        var ownerId = await _cluster.WaitForLeaseHolderAsync(streamId, TimeSpan.FromSeconds(20));
        var owner = nodes[ownerId];
        var survivor = nodes.Single(n => n.Key != ownerId).Value;
        using var publisher = survivor.CreateClient(_cluster.AdminToken);

        // Published one after another on the survivor, so the order of the stream is the order here.
        // Each stream gets its own jti (the SET is signed for its audience): events are told apart by
        // subject and number. Ten subjects, so that the stream's lanes push several at once.
        var accepted = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            accepted.Add(await PublishNumberedAsync(publisher, i));
        }

        await _receiver.WaitForAsync(20, TimeSpan.FromSeconds(30));
        var killedAt = Stopwatch.StartNew();
        await owner.KillAsync(TimeSpan.FromSeconds(10));
        var pushedBeforeKill = _receiver.Received.Count;
        for (var i = 150; i < 300; i++)
        {
            accepted.Add(await PublishNumberedAsync(publisher, i));
        }

        var takenOverBy = await _cluster.WaitForLeaseHolderAsync(streamId, TimeSpan.FromSeconds(30), other: ownerId);
        await WaitUntilAsync(() => Task.FromResult(NumberedArrivals().Distinct().Count() >= accepted.Count), "every accepted event to arrive", TimeSpan.FromSeconds(60));
        var received = NumberedArrivals();
        var firstArrivals = received.Distinct().ToList();
        var duplicates = received.Count - firstArrivals.Count;

        output.WriteLine($"owner {ownerId} killed after {pushedBeforeKill} pushes; {takenOverBy} took over; {received.Count} pushes for {accepted.Count} events, {duplicates} duplicates; {killedAt.Elapsed.TotalSeconds:0.0} s from the kill to the last");
        Assert.NotEqual(ownerId, takenOverBy);
        Assert.Equal(accepted.Order(), firstArrivals.Order());
        Assert.Equal(BySubject(accepted), BySubject(firstArrivals));
        var listed = await publisher.GetFromJsonAsync<JsonArray>(new Uri("/admin/streams", UriKind.Relative));
        Assert.Equal(takenOverBy, (string?)Assert.Single(listed!)!["worker_node"]);

        // At most what was pushed and not yet acknowledged when the owner died: the batch it was
        // pushing and the one before, whose acknowledgement commits meanwhile (PushWorker).
        Assert.InRange(duplicates, 0, 2 * new PushOptions().BatchSize);

        static Dictionary<string, List<string>> BySubject(List<string> events) =>
            events.GroupBy(e => e.Split('#')[0]).ToDictionary(g => g.Key, g => g.ToList());
    }

    [Fact]
    public async Task ANodeThatJoins_TakesItsFairShareOfThePushStreams()
    {
        var a = await _cluster.StartNodeAsync("node-a");
        using var admin = a.CreateClient(_cluster.AdminToken);
        var streams = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            streams.Add((await SsfTestServer.CreateStreamAsync(admin, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                delivery = new { method = DeliveryMethods.Push, endpoint_url = _receiver.Url($"/events/{i}") },
            }))["stream_id"]!.GetValue<string>());
        }

        await WaitUntilAsync(async () => (await HoldersAsync())["node-a"] == 4, "A to push all four streams");
        var b = await _cluster.StartNodeAsync("node-b");
        await WaitUntilAsync(async () => await HoldersAsync() is { } held && held["node-a"] == 2 && held["node-b"] == 2, "A and B to push two streams each", TimeSpan.FromSeconds(30));

        // Each stream still delivers, whichever node has it now.
        using var publisher = b.CreateClient(_cluster.AdminToken);
        await SsfTestServer.PublishAsync(publisher, SsfTestServer.SessionRevoked());
        var pushes = await _receiver.WaitForAsync(4, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"/events/{i}").Order(), pushes.Select(p => p.Path).Order());

        async Task<Dictionary<string, long>> HoldersAsync() => new()
        {
            ["node-a"] = await _cluster.ScalarAsync<long>("SELECT count(*) FROM stream_leases WHERE node_id = 'node-a' AND expires_at > now()"),
            ["node-b"] = await _cluster.ScalarAsync<long>("SELECT count(*) FROM stream_leases WHERE node_id = 'node-b' AND expires_at > now()"),
        };
    }

    [Fact]
    public async Task ReplayOnBothNodes_WhileDelivering_SendsEachEntryOncePerPass()
    {
        var a = await _cluster.StartNodeAsync("node-a");
        var b = await _cluster.StartNodeAsync("node-b");
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var adminB = b.CreateClient(_cluster.AdminToken);
        _receiver.Respond = (_, _) =>
        {
            // The receiver's pace is the scenario, not a wait: delivery is still going on at the replay.
            Thread.Sleep(3);
            return (202, null, null);
        };
        var streamId = (await SsfTestServer.CreateStreamAsync(adminA, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = DeliveryMethods.Push, endpoint_url = _receiver.Url() },
        }))["stream_id"]!.GetValue<string>();
        var accepted = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            accepted.Add(await PublishForAsync(i % 2 == 0 ? adminA : adminB, $"user{i}@example.com"));
        }

        // Half way through the first delivery, a replay from the start on each node at once.
        await _receiver.WaitForAsync(accepted.Count / 2, TimeSpan.FromSeconds(30));
        var replays = await Task.WhenAll(ReplayAsync(adminA, streamId), ReplayAsync(adminB, streamId));
        var expected = accepted.Count + replays.Sum();
        await WaitUntilAsync(
            async () => _receiver.Received.Count >= expected
                && await _cluster.ScalarAsync<long>($"SELECT count(*) FROM deliveries WHERE stream_id = @s AND state = {DeliveryStateSql.Pending}", ("s", (object)streamId)) == 0,
            "the replayed entries to be delivered",
            TimeSpan.FromSeconds(60));
        // Kept: a lease period in which no node may push again; the nodes are other processes, on the real clock.
        await Task.Delay(TimeSpan.FromSeconds(ClusterFixture.LeaseSeconds));

        // Every push has a reason: the first delivery, or one replay that re-queued a delivered
        // entry. A pending entry is never queued twice, and no node pushes what another does.
        output.WriteLine($"replays re-queued {replays[0]} and {replays[1]}; {_receiver.Received.Count} pushes for {accepted.Count} events");
        Assert.True(replays.Sum() > 0);
        Assert.Equal(expected, _receiver.Received.Count);
        var counts = _receiver.Received.Select(p => SubjectOf(p.Body)).GroupBy(j => j).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(accepted.Order(), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.InRange(c, 1, 1 + replays.Length));
    }

    [Fact]
    public async Task InboundPollError_SeenByTheNodePolling_IsShownByEveryNode_AndClearedOnAll()
    {
        await using var transmitter = await TestTransmitter.StartAsync();
        await using var source = await FakePollSource.StartAsync();
        var failing = true;
        source.Fail = _ => Volatile.Read(ref failing) ? (401, null) : null;
        string[] quickRetry = ["--SharpSignals:Inbound:PollMaxBackoffSeconds=1"];
        var a = await _cluster.StartNodeAsync("node-a", settings: quickRetry);
        var b = await _cluster.StartNodeAsync("node-b", settings: quickRetry);
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var adminB = b.CreateClient(_cluster.AdminToken);
        var streamId = (await SsfTestServer.CreateStreamAsync(adminA, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8936", endpoint_url = source.Url, authorization_header = "Bearer refused" },
            source = new { issuer = transmitter.Issuer },
        }))["stream_id"]!.GetValue<string>();
        var poller = await _cluster.WaitForLeaseHolderAsync(streamId, TimeSpan.FromSeconds(20));
        output.WriteLine($"{poller} polls {streamId}");

        foreach (var admin in new[] { adminA, adminB })
        {
            await WaitUntilAsync(async () => await PollErrorAsync(admin, streamId) == "HTTP 401", "every node to show the poll error");
        }

        Volatile.Write(ref failing, false);
        foreach (var admin in new[] { adminA, adminB })
        {
            await WaitUntilAsync(async () => await PollErrorAsync(admin, streamId) is null, "every node to show the error cleared");
        }
    }

    [Fact]
    public async Task Retention_OneNodeSweepsForTheCluster_TheOtherLeavesItTheTurn()
    {
        // The sweep runs as a node starts, then hourly.
        string[] retentionLog = ["--Logging:LogLevel:SharpSignals.Server.Retention=Debug"];
        var a = await _cluster.StartNodeAsync("node-a", settings: retentionLog);
        await WaitUntilAsync(() => Task.FromResult(a.RecentOutput.Contains("Retention: removed", StringComparison.Ordinal)), "node-a's first sweep");
        var b = await _cluster.StartNodeAsync("node-b", settings: retentionLog);
        await WaitUntilAsync(() => Task.FromResult(b.RecentOutput.Contains("another node of the cluster has the turn", StringComparison.Ordinal)), "node-b to leave the sweep to node-a");

        Assert.DoesNotContain("Retention: removed", b.RecentOutput, StringComparison.Ordinal);
        Assert.Equal("node-a", await _cluster.ScalarAsync<string>("SELECT node_id FROM task_turns WHERE task = 'retention' AND expires_at > now()"));
    }

    [Fact]
    public async Task DatabaseLost_NodeAnswers503AndStoresNothing_ThenRecovers()
    {
        var a = await _cluster.StartNodeAsync("node-a");
        using var admin = a.CreateClient(_cluster.AdminToken);
        var streamId = (await SsfTestServer.CreateStreamAsync(admin, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!.GetValue<string>();

        PostgresTestServer.Instance.SetReachable(_cluster.ConnectionString, reachable: false);
        HttpResponseMessage? refused = null;
        try
        {
            using var health = await admin.GetAsync(new Uri("/healthz", UriKind.Relative));
            refused = await admin.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(SsfTestServer.SessionRevoked("lost@example.com"), System.Text.Encoding.UTF8, "application/json"));
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        finally
        {
            refused?.Dispose();
            PostgresTestServer.Instance.SetReachable(_cluster.ConnectionString, reachable: true);
        }

        await WaitUntilAsync(async () => await StatusAsync(admin.GetAsync(new Uri("/healthz", UriKind.Relative))) == HttpStatusCode.OK, "the node to be healthy again");
        await PublishForAsync(admin, "after@example.com");
        var polled = await SsfTestServer.PollAsync(admin, streamId, new { returnImmediately = true });
        Assert.Equal(["after@example.com"], polled["sets"]!.AsObject().Select(s => SubjectOf(s.Value!.GetValue<string>())));
    }

    private static async Task<int> ReplayAsync(HttpClient admin, string streamId)
    {
        using var response = await admin.PostAsJsonAsync($"/admin/streams/{streamId}/replay", new { from_position = 0 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }

    private static async Task<string> ActiveKidAsync(HttpClient admin)
    {
        var keys = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/keys", UriKind.Relative));
        return keys.EnumerateArray().Single(k => k.GetProperty("state").GetString() == "active").GetProperty("kid").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }

    private static async Task<string?> PollErrorAsync(HttpClient admin, string streamId)
    {
        var streams = await admin.GetFromJsonAsync<JsonArray>("/admin/streams");
        return (string?)streams!.Single(s => (string?)s!["stream_id"] == streamId)!["last_error"];
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(condition, what, timeout);

    private static async Task<string> PublishForAsync(HttpClient client, string email)
    {
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(email));
        return email;
    }

    private static string SubjectOf(string token) =>
        JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split(".")[1]))!["sub_id"]!["email"]!.GetValue<string>();

    /// <summary>Event <paramref name="n"/> of ten subjects taken in turn, named <c>subject#n</c>.</summary>
    private static async Task<string> PublishNumberedAsync(HttpClient client, int n)
    {
        var email = $"user{n % 10}@example.com";
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(email, $"{n}"));
        return $"{email}#{n}";
    }

    /// <summary>Every push received, in order of arrival, named as <see cref="PublishNumberedAsync"/> names them.</summary>
    private List<string> NumberedArrivals() => _receiver.Received.Select(p =>
    {
        var set = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(p.Body.Split(".")[1]))!;
        return $"{set["sub_id"]!["email"]}#{set["events"]![EventTypes.Caep.SessionRevoked]!["reason_admin"]!["en"]}";
    }).ToList();
}
