using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;
using Xunit.Abstractions;

namespace SharpSignals.Server.Tests.Durability;

/// <summary>
/// docs/ARCHITECTURE.md, "Durability": the real server as a child process, publishers posting as fast
/// as they can, <c>kill -9</c> at a kill point, a restart on the same data directory; every event
/// answered 202 must then reach a poll stream and a push stream. Copies of entries that were in
/// flight at the kill may arrive twice (receivers deduplicate on jti); that is counted, not refused.
/// </summary>
[Collection(CrashSafetyCollectionDefinition.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Publishers = 8;
    private const int MaxPollEvents = 1000;

    /// <summary>Published after the restart: pushes go out in order, so once it arrives, everything before it has.</summary>
    private const string SentinelTxn = "after-restart";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _data = new();
    private RecordingReceiver _receiver = null!;
    private ServerProcess? _server;

    /// <summary>
    /// Milliseconds between the first 202 and the kill (counted from there so that even the earliest
    /// point lands under load, not during the server's warm-up); every run adds up to 100 ms at
    /// random, so repeated runs hit different instants of the commit cycle.
    /// </summary>
    public static TheoryData<int> KillPoints => new() { 50, 300, 800, 1500 };

    public async Task InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        _data.Dispose();
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task KillDashNine_WhilePublishing_EveryAcceptedEventIsDeliveredAfterRestart(int killAfterMilliseconds)
    {
        var killAfter = TimeSpan.FromMilliseconds(killAfterMilliseconds + Random.Shared.Next(100));
        var port = ServerProcess.FreePort();
        _server = await ServerProcess.StartAsync(_data.Path, port, StartTimeout);
        var (accessToken, audience, pollStream) = await SetUpAsync(_server);

        // First life: publishers as fast as they can and a poll consumer acknowledging as it goes, then SIGKILL.
        var ledger = new PublishLedger();
        List<ReceivedSet> polledBefore;
        using (var killing = new CancellationTokenSource())
        using (var client = _server.CreateClient(accessToken, RequestTimeout))
        {
            var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Run(() => PublishUntilKilledAsync(client, p, ledger, killing.Token))).ToList();
            var consumer = Task.Run(() => PollUntilKilledAsync(client, pollStream, ledger, killing.Token));
            await WithinAsync(ledger.FirstAccepted.Task, RequestTimeout, "the first 202 (publish errors: " + string.Join("; ", ledger.Errors.Take(3)) + ")");
            // Kept: the moment of the kill is the theory's data (and a little chance), not a wait for anything.
            await Task.Delay(killAfter);
            await killing.CancelAsync();
            await _server.KillAsync(KillTimeout);
            await WithinAsync(Task.WhenAll(publishers), KillTimeout, "the publishers to stop after the kill");
            polledBefore = await WithinAsync(consumer, KillTimeout, "the poll consumer to stop after the kill");
        }

        Assert.True(ledger.Errors.IsEmpty, "Publishing or polling failed before the kill: " + string.Join("; ", ledger.Errors.Take(5)));
        var acceptedBeforeKill = ledger.Accepted.Count;
        var pushedBefore = _receiver.Received.Count;

        // Second life on the same data directory and port (the issuer, and so every SET's iss, names the port).
        await _server.DisposeAsync();
        _server = await ServerProcess.StartAsync(_data.Path, port, StartTimeout);
        using var after = _server.CreateClient(accessToken, RequestTimeout);
        using (var published = await after.PostAsync(new Uri("/events", UriKind.Relative), EventContent(SentinelTxn)))
        {
            Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
            ledger.Accepted[SentinelTxn] = await JtiOfAsync(published);
            ledger.Attempted.TryAdd(SentinelTxn, 0);
        }

        var polledAfter = await DrainPollAsync(after, pollStream);
        var pushes = await WaitForPushAsync(SentinelTxn, pushedBefore);

        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(await after.GetStringAsync(new Uri("/jwks.json", UriKind.Relative))),
            ValidIssuers = [_server.Issuer],
            ValidAudiences = [audience],
        });
        var poll = await CheckAsync("poll", polledBefore, polledAfter, ledger, validator);
        var push = await CheckAsync(
            "push",
            pushes.Take(pushedBefore).Select(p => new ReceivedSet(null, p.Body)).ToList(),
            pushes.Skip(pushedBefore).Select(p => new ReceivedSet(null, p.Body)).ToList(),
            ledger,
            validator);

        output.WriteLine(
            $"kill {killAfter.TotalMilliseconds:0} ms after the first 202: {acceptedBeforeKill} events answered 202 before the kill, "
            + $"{ledger.Attempted.Count - 1 - acceptedBeforeKill} unanswered in flight; {poll}; {push}");
        poll.AssertComplete();
        push.AssertComplete();
    }

    /// <summary>Registers a client (IAT, then <c>/register</c>) and creates its poll and push streams for session-revoked.</summary>
    private async Task<(string AccessToken, string Audience, string PollStream)> SetUpAsync(ServerProcess server)
    {
        using var admin = server.CreateClient(server.ReadAdminToken());
        using var iat = await admin.PostAsJsonAsync("/iat", new { project = "p1", expires_in = 3600 });
        Assert.Equal(HttpStatusCode.Created, iat.StatusCode);
        var iatToken = (await iat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        using var registering = server.CreateClient(iatToken);
        using var registered = await registering.PostAsJsonAsync("/register", new { client_name = "crash-safety", scope = "ssf.manage ssf.read event.publish" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var accessToken = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        using var client = server.CreateClient(accessToken);
        var poll = await CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = DeliveryMethods.Poll },
        });
        var push = await CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = DeliveryMethods.Push, endpoint_url = _receiver.Url() },
        });
        Assert.Equal(Audience(poll), Audience(push));
        return (accessToken, Audience(poll), (string)poll["stream_id"]!);
    }

    private static async Task<JsonObject> CreateStreamAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/ssf/streams", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains(EventTypes.Caep.SessionRevoked, created["events_delivered"]!.AsArray().Select(e => (string?)e));
        return created;
    }

    private static string Audience(JsonObject stream) => stream["aud"] is JsonArray array ? (string)array[0]! : (string)stream["aud"]!;

    /// <summary>Publishes session-revoked events with a unique txn each (kept on republish) until the kill.</summary>
    private static async Task PublishUntilKilledAsync(HttpClient client, int publisher, PublishLedger ledger, CancellationToken killing)
    {
        for (var n = 0; !killing.IsCancellationRequested; n++)
        {
            var txn = $"p{publisher}-{n}";
            ledger.Attempted.TryAdd(txn, 0);
            try
            {
                using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), EventContent(txn), CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    ledger.Errors.Enqueue($"{txn}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    return;
                }

                ledger.Accepted[txn] = await JtiOfAsync(response);
                ledger.FirstAccepted.TrySetResult();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or JsonException)
            {
                // After the kill this is the kill; before it, a failure the test reports.
                if (!killing.IsCancellationRequested)
                {
                    ledger.Errors.Enqueue($"{txn}: {ex.GetType().Name}: {ex.Message}");
                }

                return;
            }
        }
    }

    /// <summary>Polls the stream, acknowledging each batch with the next request (RFC 8936 §2.4), until the kill.</summary>
    private static async Task<List<ReceivedSet>> PollUntilKilledAsync(HttpClient client, string streamId, PublishLedger ledger, CancellationToken killing)
    {
        var received = new List<ReceivedSet>();
        IReadOnlyList<ReceivedSet> batch = [];
        while (!killing.IsCancellationRequested)
        {
            try
            {
                batch = await PollAsync(client, streamId, batch);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or JsonException)
            {
                if (!killing.IsCancellationRequested)
                {
                    ledger.Errors.Enqueue($"poll: {ex.GetType().Name}: {ex.Message}");
                }

                break;
            }

            received.AddRange(batch);
            if (batch.Count == 0)
            {
                // The consumer's own pace when nothing is there, not a wait for anything.
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
            }
        }

        return received;
    }

    /// <summary>Polls with acknowledgements until the stream has nothing left; the last request acknowledges the last batch.</summary>
    private static async Task<List<ReceivedSet>> DrainPollAsync(HttpClient client, string streamId)
    {
        var received = new List<ReceivedSet>();
        var deadline = DateTime.UtcNow + DrainTimeout;
        IReadOnlyList<ReceivedSet> batch = [];
        do
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The poll stream was still not empty {DrainTimeout.TotalSeconds:0} s after the restart ({received.Count} SETs read).");
            }

            batch = await PollAsync(client, streamId, batch);
            received.AddRange(batch);
        }
        while (batch.Count > 0);

        return received;
    }

    private static async Task<IReadOnlyList<ReceivedSet>> PollAsync(HttpClient client, string streamId, IReadOnlyList<ReceivedSet> acknowledge)
    {
        var ack = acknowledge.Select(s => s.Key!).ToList();
        using var response = await client.PostAsJsonAsync($"/ssf/poll/{streamId}", new { maxEvents = MaxPollEvents, returnImmediately = true, ack });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"poll: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return answer["sets"]!.AsObject().Select(s => new ReceivedSet(s.Key, (string)s.Value!)).ToList();
    }

    /// <summary>Waits for the push of the SET with <paramref name="txn"/> among the pushes from <paramref name="from"/> on.</summary>
    private async Task<IReadOnlyList<RecordedPush>> WaitForPushAsync(string txn, int from)
    {
        var next = from;
        return await Eventually.GetAsync<IReadOnlyList<RecordedPush>>(
            () => Task.FromResult<IReadOnlyList<RecordedPush>>(_receiver.Received.ToList()),
            pushes =>
            {
                for (; next < pushes.Count; next++)
                {
                    if (TxnOf(pushes[next].Body) == txn)
                    {
                        return true;
                    }
                }

                return false;
            },
            "the push receiver to get the event published after the restart",
            DrainTimeout,
            pushes => $"{pushes.Count - from} pushes after the restart. Server output:{Environment.NewLine}{_server?.RecentOutput}");
    }

    /// <summary>
    /// What one stream got over both lives: every SET valid and ours, every 202'd txn present, no txn
    /// twice within one life, and a txn seen in both lives carrying the same jti (the same entry again).
    /// </summary>
    private static async Task<StreamReport> CheckAsync(string name, IReadOnlyList<ReceivedSet> before, IReadOnlyList<ReceivedSet> after, PublishLedger ledger, SetValidator validator)
    {
        var report = new StreamReport(name, before.Count, after.Count);
        var jtis = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var life in new[] { before, after })
        {
            var seenInLife = new HashSet<string>(StringComparer.Ordinal);
            foreach (var received in life)
            {
                var result = await validator.ValidateAsync(received.Token, CancellationToken.None);
                if (!result.IsValid)
                {
                    report.Invalid.Add($"{result.Error?.Code}: {result.Error?.Description}");
                    continue;
                }

                var set = result.Set!;
                if (received.Key is not null && received.Key != set.Jti)
                {
                    report.Invalid.Add($"poll key {received.Key} but jti {set.Jti}");
                }

                if (set.Events.Count != 1 || set.Event.EventType != EventTypes.Caep.SessionRevoked || set.Txn is null || !ledger.Attempted.ContainsKey(set.Txn))
                {
                    report.Unknown.Add($"{set.Jti} ({string.Join(' ', set.Events.Select(e => e.EventType))}, txn {set.Txn})");
                    continue;
                }

                if (!seenInLife.Add(set.Txn))
                {
                    report.RepeatedInOneLife.Add(set.Txn);
                }

                if (jtis.TryGetValue(set.Txn, out var earlier))
                {
                    report.Duplicates++;
                    if (earlier != set.Jti)
                    {
                        report.JtiChanged.Add($"{set.Txn}: {earlier} then {set.Jti}");
                    }
                }
                else
                {
                    jtis[set.Txn] = set.Jti;
                }
            }
        }

        report.Distinct = jtis.Count;
        report.Missing.AddRange(ledger.Accepted.Where(a => !jtis.ContainsKey(a.Key)).Select(a => $"txn {a.Key} (published as {a.Value})").Order(StringComparer.Ordinal));
        return report;
    }

    private static StringContent EventContent(string txn) => new(
        new JsonObject
        {
            ["txn"] = txn,
            ["events"] = new JsonObject
            {
                [EventTypes.Caep.SessionRevoked] = new JsonObject { ["initiating_entity"] = "admin", ["reason_admin"] = new JsonObject { ["en"] = "crash safety" } },
            },
            ["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = $"{txn}@example.com" },
        }.ToJsonString(),
        Encoding.UTF8,
        new MediaTypeHeaderValue("application/json"));

    private static async Task<string> JtiOfAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("jti").GetString()!;

    private static string? TxnOf(string token)
    {
        using var claims = JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1]));
        return claims.RootElement.TryGetProperty("txn", out var txn) ? txn.GetString() : null;
    }

    private static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        await WithinAsync((Task)task, timeout, what);
        return await task;
    }

    private static async Task WithinAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
        }
    }

    /// <summary>A SET as a receiver got it: the poll response's key (null for a push) and the token.</summary>
    private sealed record ReceivedSet(string? Key, string Token);

    /// <summary>What the publishers sent (by txn), what was answered 202 (txn to published jti), and what went wrong.</summary>
    private sealed class PublishLedger
    {
        public ConcurrentDictionary<string, byte> Attempted { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, string> Accepted { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Errors { get; } = new();

        public TaskCompletionSource FirstAccepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class StreamReport(string name, int before, int after)
    {
        public int Distinct { get; set; }

        public int Duplicates { get; set; }

        public List<string> Missing { get; } = [];

        public List<string> Unknown { get; } = [];

        public List<string> Invalid { get; } = [];

        public List<string> RepeatedInOneLife { get; } = [];

        public List<string> JtiChanged { get; } = [];

        public void AssertComplete()
        {
            Assert.True(Missing.Count == 0, $"{name}: {Missing.Count} events answered 202 never arrived, e.g. {string.Join(", ", Missing.Take(5))}");
            Assert.True(Invalid.Count == 0, $"{name}: {Invalid.Count} SETs failed validation, e.g. {string.Join("; ", Invalid.Take(3))}");
            Assert.True(Unknown.Count == 0, $"{name}: {Unknown.Count} SETs nobody published, e.g. {string.Join("; ", Unknown.Take(3))}");
            Assert.True(RepeatedInOneLife.Count == 0, $"{name}: {RepeatedInOneLife.Count} txns delivered twice within one server life, e.g. {string.Join(", ", RepeatedInOneLife.Take(5))}");
            Assert.True(JtiChanged.Count == 0, $"{name}: redelivered entries with a new jti, e.g. {string.Join("; ", JtiChanged.Take(3))}");
        }

        public override string ToString() =>
            $"{name}: {before} SETs before the kill + {after} after the restart = {Distinct} distinct events, {Duplicates} duplicates";
    }
}
