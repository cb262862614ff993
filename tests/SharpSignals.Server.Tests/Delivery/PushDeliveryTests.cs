using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>The push retry rules of docs/API.md, "Push (RFC 8935)", driven by a manual clock against a real receiver.</summary>
public sealed class PushDeliveryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private RecordingReceiver _endpoint = null!;
    private HttpClient _receiver = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(time: _time);
        _endpoint = await RecordingReceiver.StartAsync();
        (_receiver, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task ServerError_IsRetriedWithBackoffAndTheSameBytes()
    {
        _endpoint.Respond = (n, _) => n == 0 ? (503, null, null) : (202, null, null);
        var streamId = await PushStreamAsync();

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        await RetryScheduledAsync(streamId, attempts: 1);
        Assert.Single(_endpoint.Received);
        var pushes = await AdvanceUntilAsync(2, TimeSpan.FromMilliseconds(500));

        Assert.Equal(pushes[0].Body, pushes[1].Body);
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter()
    {
        _endpoint.Respond = (n, _) => n == 0 ? (429, null, new Dictionary<string, string> { ["Retry-After"] = "120" }) : (202, null, null);
        var streamId = await PushStreamAsync();

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        _time.Advance(TimeSpan.FromSeconds(100));
        await RetryScheduledAsync(streamId, attempts: 1);
        Assert.Single(_endpoint.Received);
        var pushes = await AdvanceUntilAsync(2, TimeSpan.FromSeconds(10));

        Assert.Equal(2, pushes.Count);
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task RefusedWithAnErrorCode_GoesToDeadLettersAndTheNextEventFollows()
    {
        _endpoint.Respond = (n, _) => n == 0 ? (400, """{"err":"invalid_audience","description":"not for us"}""", null) : (202, null, null);
        var streamId = await PushStreamAsync();

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("first@example.com"));
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("second@example.com"));
        var pushes = await _endpoint.WaitForAsync(2);

        Assert.NotEqual(pushes[0].Body, pushes[1].Body);
        var dead = Assert.Single(await Deliveries.ReadDeadLettersAsync(streamId, 10, CancellationToken.None));
        Assert.Equal("invalid_audience: not for us", dead.LastError);
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task RepeatedUnauthorized_PausesTheStreamWithAStreamUpdatedEvent()
    {
        _endpoint.Respond = (_, _) => (401, null, null);
        var streamId = await PushStreamAsync();

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        await AdvanceUntilAsync(3, TimeSpan.FromSeconds(5));
        var status = await WaitForStatusAsync(streamId, "paused");

        Assert.Contains("credentials", (string?)status["reason"], StringComparison.Ordinal);
        var pending = await Deliveries.ReadPendingAsync(streamId, 10, CancellationToken.None);
        Assert.Equal(2, pending.Count);
        var updated = await _server.ValidateAsync(pending[1].Token!);
        Assert.Equal(StreamStatuses.Paused, Assert.IsType<StreamUpdated>(updated.Set!.Event).Status);
        await RetryScheduledAsync(streamId, attempts: 3);
        Assert.Equal(3, _endpoint.Received.Count);
    }

    [Fact]
    public async Task PausedByTheTransmitter_TheNoticeIsDeliveredBeforeDeliveryStops()
    {
        // SSF 1.0 §8.1.5: the stream-updated event goes out before the transmitter stops; what came
        // before it goes first, in order, and what comes after waits for the stream to be enabled.
        var streamId = await PausedByRefusedCredentialsAsync("before@example.com");

        _endpoint.Respond = (_, _) => (202, null, null);
        var pushes = await AdvanceUntilAsync(5, TimeSpan.FromSeconds(5));
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("after@example.com"));
        _time.Advance(TimeSpan.FromMinutes(10));
        await Eventually.TrueAsync(async () => await Deliveries.CountPendingAsync(streamId, CancellationToken.None) == 1, "the pause notice to be acknowledged, leaving the held event");

        Assert.Equal(5, _endpoint.Received.Count);
        Assert.Equal(pushes[0].Body, pushes[3].Body);
        var notice = await _server.ValidateAsync(pushes[4].Body);
        Assert.Equal(StreamStatuses.Paused, Assert.IsType<StreamUpdated>(notice.Set!.Event).Status);
        Assert.Equal(1, await Deliveries.CountPendingAsync(streamId, CancellationToken.None));

        using var enabled = await _receiver.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "enabled" });
        enabled.EnsureSuccessStatusCode();
        var held = await _endpoint.WaitForAsync(6);
        Assert.Contains("after@example.com", (await _server.ValidateAsync(held[5].Body)).Set!.Subject!.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnabledAgainBeforeThePauseNoticeWent_TheStaleNoticeIsNeverPushedAndVerificationGoesAtOnce()
    {
        // Three 401s pause the stream; its notice waits behind the refused event's back-off. The
        // receiver then fixes its credential and enables the stream, and answers 500 to any
        // stream-updated SET: the old "paused" notice must not be sent, nor hold the verification,
        // and the back-off the 401s earned no longer holds the stream.
        var streamId = await PausedByRefusedCredentialsAsync("alice@example.com");

        _endpoint.Respond = (_, push) => Event(push) is StreamUpdated ? (500, null, null) : (202, null, null);
        await SetStatusAsync(streamId, "enabled");
        using var verify = await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "after-fix" });
        verify.EnsureSuccessStatusCode();

        // Without the clock moving: enabling the stream clears the refused event's back-off, so
        // neither it nor the verification behind it waits for a retry that described the old stream.
        var pushes = await _endpoint.WaitForAsync(5);

        Assert.DoesNotContain(pushes.Skip(3), p => Event(p) is StreamUpdated);
        Assert.Equal("after-fix", Assert.IsType<Verification>(Event(pushes[4])).State);
        var dropped = Assert.Single(await Deliveries.ReadDeadLettersAsync(streamId, 10, CancellationToken.None));
        Assert.Equal(StreamStatuses.Paused, Assert.IsType<StreamUpdated>((await _server.ValidateAsync(dropped.Token!)).Set!.Event).Status);
        Assert.StartsWith("superseded: ", dropped.LastError, StringComparison.Ordinal);
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task Backlog_IsPushedInLanesAtOnce_InOrderPerSubject()
    {
        _endpoint.Respond = (_, _) =>
        {
            // A receiver that takes a moment to answer, so that pushes sent at once overlap: the scenario, not a wait.
            Thread.Sleep(5);
            return (202, null, null);
        };

        // Twelve subjects: the chance that all of them hash to one of the lanes is nil.
        var (streamId, pushedWhilePaused) = await PublishWhilePausedAsync(subjects: 12, perSubject: 10);
        var pushes = await _endpoint.WaitForAsync(12 * 10, TimeSpan.FromSeconds(30));

        Assert.Equal(0, pushedWhilePaused);
        AssertInOrderPerSubject(pushes, subjects: 12, perSubject: 10);
        // One push at a time reuses one pooled connection; pushes sent at once need more. (Counting
        // requests handled at once would count the receiver's free threads instead.)
        Assert.True(pushes.Select(p => p.ConnectionId).Distinct().Count() > 1, "one push at a time");
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task Backlog_OfSeveralBatches_IsPushedOnceEach()
    {
        // 320 entries are three batches of 128: each batch is read while the previous one's
        // acknowledgement commits, and must skip what that acknowledgement covers.
        var (streamId, _) = await PublishWhilePausedAsync(subjects: 8, perSubject: 40);
        await _endpoint.WaitForAsync(8 * 40, TimeSpan.FromSeconds(30));

        Assert.Equal(0, await PendingAsync(streamId));
        AssertInOrderPerSubject(_endpoint.Received.ToList(), subjects: 8, perSubject: 40);
    }

    /// <summary>Publishes <paramref name="perSubject"/> events about each of <paramref name="subjects"/> subjects to a paused push stream, then enables it.</summary>
    private async Task<(string StreamId, int PushedWhilePaused)> PublishWhilePausedAsync(int subjects, int perSubject)
    {
        var streamId = await PushStreamAsync();
        await SetStatusAsync(streamId, "paused");
        for (var n = 0; n < perSubject; n++)
        {
            for (var s = 0; s < subjects; s++)
            {
                await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked($"s{s}@example.com", $"n={n}"));
            }
        }

        var pushedWhilePaused = _endpoint.Received.Count;
        await SetStatusAsync(streamId, "enabled");
        return (streamId, pushedWhilePaused);
    }

    /// <summary>Each subject's events arrived once each, numbered in the order they were published.</summary>
    private static void AssertInOrderPerSubject(IReadOnlyList<RecordedPush> pushes, int subjects, int perSubject)
    {
        var bySubject = pushes.Select(p => JsonNode.Parse(Base64UrlEncoder.Decode(p.Body.Split('.')[1]))!)
            .GroupBy(set => (string)set["sub_id"]!["email"]!)
            .ToDictionary(g => g.Key, g => g.Select(set => (string)set["events"]![EventTypes.Caep.SessionRevoked]!["reason_admin"]!["en"]!).ToList());
        Assert.Equal(subjects, bySubject.Count);
        Assert.All(bySubject.Values, numbers => Assert.Equal(Enumerable.Range(0, perSubject).Select(n => $"n={n}"), numbers));
    }

    /// <summary>A push stream whose receiver refused an event about <paramref name="email"/> three times with 401, so that the server paused it.</summary>
    private async Task<string> PausedByRefusedCredentialsAsync(string email)
    {
        _endpoint.Respond = (_, _) => (401, null, null);
        var streamId = await PushStreamAsync();
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked(email));
        await AdvanceUntilAsync(3, TimeSpan.FromSeconds(5));
        await WaitForStatusAsync(streamId, "paused");
        return streamId;
    }

    /// <summary>The one event of a pushed SET, read without checking its signature.</summary>
    private static SecurityEvent? Event(RecordedPush push) =>
        SetPayload.Read(Base64UrlEncoder.DecodeBytes(push.Body.Split('.')[1])).Set?.Event;

    private async Task SetStatusAsync(string streamId, string status)
    {
        using var response = await _receiver.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status });
        response.EnsureSuccessStatusCode();
    }

    private IDeliveryStore Deliveries => _server.Factory.Services.GetRequiredService<IDeliveryStore>();

    private async Task<string> PushStreamAsync()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
        });
        return (string)created["stream_id"]!;
    }

    /// <summary>The stream's pending entries, once none are left (acknowledgements commit after the push).</summary>
    private Task<long> PendingAsync(string streamId) =>
        Eventually.GetAsync(() => Deliveries.CountPendingAsync(streamId, CancellationToken.None).AsTask(), count => count == 0, $"stream {streamId} to have nothing pending");

    /// <summary>
    /// Waits until the worker has recorded <paramref name="attempts"/> failed attempts at the stream's
    /// first entry with the next one after the test's clock: until the clock moves, nothing is pushed.
    /// </summary>
    private Task RetryScheduledAsync(string streamId, int attempts) =>
        Eventually.TrueAsync(
            async () => await Deliveries.ReadPendingAsync(streamId, 1, CancellationToken.None) is [var head] && head.Attempts >= attempts && head.NextAttemptAt > _time.GetUtcNow(),
            $"the retry after attempt {attempts} to be scheduled");

    /// <summary>Moves the clock a step at a time, so that each retry falls due, until the receiver got <paramref name="pushes"/> pushes.</summary>
    private async Task<IReadOnlyList<RecordedPush>> AdvanceUntilAsync(int pushes, TimeSpan step)
    {
        await Eventually.TrueAsync(
            () => _endpoint.Received.Count >= pushes,
            $"{pushes} pushes while the clock moves in steps of {step.TotalSeconds} s",
            meanwhile: () => _time.Advance(step),
            every: TimeSpan.FromMilliseconds(50));
        return await _endpoint.WaitForAsync(pushes, TimeSpan.FromSeconds(5));
    }

    private async Task<JsonObject> WaitForStatusAsync(string streamId, string expected)
    {
        var status = await Eventually.GetAsync(
            async () => (await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/status?stream_id={streamId}"))!,
            s => (string?)s["status"] == expected,
            $"stream {streamId} to be {expected}",
            describe: s => s.ToJsonString());
        Assert.Equal(expected, (string?)status["status"]);
        return status;
    }
}
