using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>POST /events appends once and routes to exactly the streams that should carry it.</summary>
public sealed class RoutingTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private HttpClient _receiver = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer();
        (_receiver, _, _) = await _server.RegisterClientAsync("p1");
    }

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Publish_RoutesByEventTypeSubjectProjectAndStatus()
    {
        var sessions = await StreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });
        var credentials = await StreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.CredentialChange } });
        // Under default_subjects ALL (the default) a stream narrows by removing subjects (SSF 1.0 §8.1.3).
        var alice = await StreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });
        (await _receiver.PostAsJsonAsync("/ssf/subjects/remove", new { stream_id = alice, subject = new { format = "email", email = "bob@example.com" } })).EnsureSuccessStatusCode();
        var disabled = await StreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });
        (await _receiver.PostAsJsonAsync("/ssf/status", new { stream_id = disabled, status = "disabled" })).EnsureSuccessStatusCode();
        var (otherProject, _, _) = await _server.RegisterClientAsync("p2");
        var elsewhere = await StreamAsync(otherProject, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("alice@example.com"));
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("bob@example.com"));

        Assert.Equal(2, (await PendingAsync(_receiver, sessions)).Count);
        Assert.Empty(await PendingAsync(_receiver, credentials));
        var alices = await PendingAsync(_receiver, alice);
        var only = Assert.Single(alices);
        Assert.Equal(new EmailSubject("alice@example.com"), (await _server.ValidateAsync((string)only.Value!)).Set!.Subject);
        Assert.Empty(await PendingAsync(_receiver, disabled, enable: true));
        Assert.Empty(await PendingAsync(otherProject, elsewhere));
    }

    [Fact]
    public async Task Publish_RepublishedSetsCarryTheStreamsAudienceANewJtiAndTheTxn()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });
        var streamId = (string)created["stream_id"]!;
        var published = await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked().Replace("{\"events\"", "{\"txn\":\"t-42\",\"events\"", StringComparison.Ordinal));

        var (jti, token) = Assert.Single(await PendingAsync(_receiver, streamId));
        var result = await _server.ValidateAsync((string)token!, (string)created["aud"]!);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.NotEqual(published, jti);
        Assert.Equal(jti, result.Set!.Jti);
        Assert.Equal("t-42", result.Set.Txn);
        var stored = await _server.Admin.GetFromJsonAsync<JsonElement>($"/events/{published}");
        Assert.Equal(published, stored.GetProperty("jti").GetString());
    }

    [Fact]
    public async Task Publish_ToAForwardStream_IsSignedForThatStreamsAudience()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { route_mode = "forward", events_requested = new[] { EventTypes.Caep.SessionRevoked } });

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());

        var (_, token) = Assert.Single(await PendingAsync(_receiver, (string)created["stream_id"]!));
        var result = await _server.ValidateAsync((string)token!, (string)created["aud"]!);
        Assert.True(result.IsValid, result.Error?.Description);
    }

    public static TheoryData<string, string> InvalidEvents() => new()
    {
        { "{not json", "not valid JSON" },
        { """{"sub_id":{"format":"email","email":"a@example.com"}}""", "events is required" },
        { """{"events":{"https://schemas.openid.net/secevent/caep/event-type/credential-change":{"credential_type":"password"}},"sub_id":{"format":"email","email":"a@example.com"}}""", "change_type is required" },
        { """{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{}},"sub_id":{"format":"email"}}""", "sub_id.email is required" },
        { """{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{}},"sub_id":{"format":"email","email":"a@example.com"},"sub":"alice"}""", "sub is set by the server" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Publish_InvalidEvent_Is400NamingTheFieldAndStoresNothing(string body, string expected)
    {
        var streamId = await StreamAsync(_receiver, new { });

        using var response = await _receiver.PostAsync("/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await PendingAsync(_receiver, streamId));
    }

    [Fact]
    public async Task LongPoll_WakesAsSoonAsAnEventIsRouted()
    {
        var streamId = await StreamAsync(_receiver, new { });
        var started = DateTime.UtcNow;

        // Kept: the poll must be waiting before the publish, and nothing shows a waiting poll but a moment
        // in which it did not return.
        var poll = SsfTestServer.PollAsync(_receiver, streamId, new { maxEvents = 10 });
        await Task.Delay(200);
        Assert.False(poll.IsCompleted);
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(answer["sets"]!.AsObject());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Poll_SetErrsMoveEntriesToDeadLettersAndMoreAvailableCounts()
    {
        var streamId = await StreamAsync(_receiver, new { });
        for (var i = 0; i < 3; i++)
        {
            await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        }

        var first = await SsfTestServer.PollAsync(_receiver, streamId, new { maxEvents = 2, returnImmediately = true });
        var jtis = first["sets"]!.AsObject().Select(s => s.Key).ToList();
        var second = await SsfTestServer.PollAsync(_receiver, streamId, new
        {
            maxEvents = 10,
            returnImmediately = true,
            ack = new[] { jtis[0] },
            setErrs = new Dictionary<string, object> { [jtis[1]] = new { err = "invalid_audience", description = "not us" } },
        });

        Assert.Equal(2, jtis.Count);
        Assert.True((bool)first["moreAvailable"]!);
        var remaining = Assert.Single(second["sets"]!.AsObject());
        Assert.DoesNotContain(remaining.Key, jtis);
        Assert.False((bool)second["moreAvailable"]!);
    }

    [Fact]
    public async Task Poll_PausedStreamHoldsItsEventsUntilEnabled()
    {
        var streamId = await StreamAsync(_receiver, new { });
        (await _receiver.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "paused" })).EnsureSuccessStatusCode();
        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());

        var whilePaused = await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true });
        (await _receiver.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "enabled" })).EnsureSuccessStatusCode();
        var afterwards = await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true });

        Assert.Empty(whilePaused["sets"]!.AsObject());
        Assert.Single(afterwards["sets"]!.AsObject());
    }

    [Fact]
    public async Task Verify_FasterThanTheMinimumInterval_Is429WithRetryAfter()
    {
        var streamId = await StreamAsync(_receiver, new { });

        using var first = await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId });
        using var second = await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId });

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
    }

    private static async Task<string> StreamAsync(HttpClient client, object body) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, body))["stream_id"]!;

    private static async Task<List<KeyValuePair<string, JsonNode?>>> PendingAsync(HttpClient client, string streamId, bool enable = false)
    {
        if (enable)
        {
            (await client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "enabled" })).EnsureSuccessStatusCode();
        }

        var answer = await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true });
        return [.. answer["sets"]!.AsObject()];
    }
}
