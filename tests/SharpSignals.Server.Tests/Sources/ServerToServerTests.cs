using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// Two real servers over loopback HTTP: A publishes, B receives on an inbound stream (by polling A, or
/// pushed to by A) and routes to a stream of its own delivered the other way. Every event arrives once,
/// in order, and A is left with nothing pending, also when B was down in between.
/// </summary>
public sealed class ServerToServerTests : IAsyncLifetime
{
    private const string SessionRevokedType = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string Push = "urn:ietf:rfc:8935";
    private const string Poll = "urn:ietf:rfc:8936";

    private SsfTestServer _a = null!;
    private SsfTestServer _b = null!;
    private RecordingReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        // Short push back-off, so that A's pushes resume soon after B comes back.
        _a = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Push:InitialBackoffSeconds"] = "0.1",
            ["SharpSignals:Push:MaxBackoffSeconds"] = "1",
        });
        _b = SsfTestServer.StartListening();
        _receiver = await RecordingReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task PollToPush_EveryEventArrivesOnceInOrderAndAIsAcknowledged()
    {
        var (aClient, aStreamId) = await PollChainAsync();

        var emails = await PublishAsync(aClient, 0, 25);

        Assert.Equal(emails, await ReceivedEmailsAsync(emails.Count));
        await WaitForPendingAsync(_a, aStreamId, 0);
        await AssertNothingMoreAsync(emails.Count);
    }

    [Fact]
    public async Task PushToPoll_EveryEventArrivesOnceInOrder()
    {
        var (bClient, bOutboundId) = await PushChainAsync();

        var emails = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            emails.Add($"user{i}@example.com");
            await SsfTestServer.PublishAsync(_a.Admin, SsfTestServer.SessionRevoked(emails[^1]));
        }

        Assert.Equal(emails, await DrainAsync(bClient, bOutboundId, emails.Count));
        var rest = await SsfTestServer.PollAsync(bClient, bOutboundId, new { returnImmediately = true });
        Assert.Empty(rest["sets"]!.AsObject());
    }

    [Fact]
    public async Task PollToPush_WhileBIsDown_AKeepsTheEventsAndBReceivesEachOnceAfterItsRestart()
    {
        var (aClient, aStreamId) = await PollChainAsync();
        var before = await PublishAsync(aClient, 0, 5);
        Assert.Equal(before, await ReceivedEmailsAsync(before.Count));
        await WaitForPendingAsync(_a, aStreamId, 0);

        await _b.StopAsync();
        var whileDown = await PublishAsync(aClient, 5, 20);
        var backlog = await AdminStreamAsync(_a, aStreamId);
        Assert.Equal(whileDown.Count, backlog["pending"]!.GetValue<long>());

        _b = await _b.RestartAsync();

        Assert.Equal([.. before, .. whileDown], await ReceivedEmailsAsync(before.Count + whileDown.Count));
        await WaitForPendingAsync(_a, aStreamId, 0);
        await AssertNothingMoreAsync(before.Count + whileDown.Count);
    }

    [Fact]
    public async Task PushToPoll_WhileBIsDown_AKeepsTheEventsAndBReceivesEachOnceAfterItsRestart()
    {
        var (bClient, bOutboundId) = await PushChainAsync();
        var aStreamId = (await _a.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.Single()!["stream_id"]!.GetValue<string>();
        await SsfTestServer.PublishAsync(_a.Admin, SsfTestServer.SessionRevoked("user0@example.com"));
        Assert.Equal(["user0@example.com"], await DrainAsync(bClient, bOutboundId, 1));

        await _b.StopAsync();
        var whileDown = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            whileDown.Add($"user{i}@example.com");
            await SsfTestServer.PublishAsync(_a.Admin, SsfTestServer.SessionRevoked(whileDown[^1]));
        }

        Assert.Equal(whileDown.Count, (await AdminStreamAsync(_a, aStreamId))["pending"]!.GetValue<long>());

        _b = await _b.RestartAsync();
        using var client = SameClient(_b, bClient);

        Assert.Equal(whileDown, await DrainAsync(client, bOutboundId, whileDown.Count));
        await WaitForPendingAsync(_a, aStreamId, 0);
        var rest = await SsfTestServer.PollAsync(client, bOutboundId, new { returnImmediately = true });
        Assert.Empty(rest["sets"]!.AsObject());
    }

    /// <summary>
    /// A has an outbound poll stream of one of its clients; B polls it with that client's token on an
    /// inbound stream whose aud is that client's id (the aud A gives the stream), and pushes to the receiver.
    /// </summary>
    private async Task<(HttpClient AClient, string AStreamId)> PollChainAsync()
    {
        var (aClient, clientId, _) = await _a.RegisterClientAsync();
        var aStream = await SsfTestServer.CreateStreamAsync(aClient, new { delivery = new { method = Poll }, events_requested = new[] { SessionRevokedType } });
        var aStreamId = aStream["stream_id"]!.GetValue<string>();

        await SsfTestServer.CreateStreamAsync(_b.Admin, new
        {
            direction = "inbound",
            aud = clientId,
            delivery = new { method = Poll, endpoint_url = $"{_a.Issuer}/ssf/poll/{aStreamId}", authorization_header = aClient.DefaultRequestHeaders.Authorization!.ToString() },
            source = new { issuer = _a.Issuer },
        });
        await SsfTestServer.CreateStreamAsync(_b.Admin, new { delivery = new { method = Push, endpoint_url = _receiver.Url() }, events_requested = new[] { SessionRevokedType } });
        return (aClient, aStreamId);
    }

    /// <summary>
    /// A (as admin) pushes to B's inbound push stream, with B's issuer as aud and the credential B
    /// generated; on B the same client drains an outbound poll stream of its own in the same project,
    /// which its inbound stream opts in to (<c>echo</c>: a client's own events do not come back to it otherwise).
    /// </summary>
    private async Task<(HttpClient BClient, string BOutboundId)> PushChainAsync()
    {
        var (bClient, _, _) = await _b.RegisterClientAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(bClient, new { direction = "inbound", delivery = new { method = Push }, source = new { issuer = _a.Issuer, echo = true } });
        var outbound = await SsfTestServer.CreateStreamAsync(bClient, new { delivery = new { method = Poll }, events_requested = new[] { SessionRevokedType } });

        await SsfTestServer.CreateStreamAsync(_a.Admin, new
        {
            aud = _b.Issuer,
            delivery = new
            {
                method = Push,
                endpoint_url = inbound["delivery"]!["endpoint_url"]!.GetValue<string>(),
                authorization_header = inbound["delivery"]!["authorization_header"]!.GetValue<string>(),
            },
            events_requested = new[] { SessionRevokedType },
        });
        return (bClient, outbound["stream_id"]!.GetValue<string>());
    }

    /// <summary>A client of the restarted server with the same access token as before (clients are kept in the data directory).</summary>
    private static HttpClient SameClient(SsfTestServer server, HttpClient before)
    {
        var client = server.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = before.DefaultRequestHeaders.Authorization;
        return client;
    }

    private static async Task<List<string>> PublishAsync(HttpClient client, int from, int count)
    {
        var emails = new List<string>();
        for (var i = from; i < from + count; i++)
        {
            emails.Add($"user{i}@example.com");
            await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(emails[^1]));
        }

        return emails;
    }

    /// <summary>The subjects of what the receiver got, in arrival order, once it got <paramref name="count"/> pushes.</summary>
    private async Task<List<string>> ReceivedEmailsAsync(int count)
    {
        var pushes = await _receiver.WaitForAsync(count, TimeSpan.FromSeconds(30));
        return [.. pushes.Select(p => EmailOf(p.Body))];
    }

    /// <summary>No second copy arrives after the expected ones: B has acknowledged pushes of them all, so it has nothing left to push.</summary>
    private async Task AssertNothingMoreAsync(int count)
    {
        await Eventually.TrueAsync(
            async () => (await _b.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.All(s => s!["pending"]!.GetValue<long>() == 0),
            "B to have nothing left to push");
        Assert.Equal(count, _receiver.Received.Count);
    }

    /// <summary>Polls B's outbound stream as its client would, acknowledging each answer in the next poll, until <paramref name="count"/> SETs came.</summary>
    private static async Task<List<string>> DrainAsync(HttpClient client, string streamId, int count)
    {
        var emails = new List<string>();
        var ack = new List<string>();
        await Eventually.TrueAsync(
            async () =>
            {
                var answer = await SsfTestServer.PollAsync(client, streamId, new { maxEvents = 7, returnImmediately = true, ack });
                ack = [.. answer["sets"]!.AsObject().Select(s => s.Key)];
                emails.AddRange(answer["sets"]!.AsObject().Select(s => EmailOf(s.Value!.GetValue<string>())));
                return emails.Count >= count;
            },
            $"{count} SETs on stream {streamId}",
            seen: () => $"{emails.Count} SETs");

        await SsfTestServer.PollAsync(client, streamId, new { maxEvents = 0, ack });
        return emails;
    }

    private static async Task<JsonObject> AdminStreamAsync(SsfTestServer server, string streamId)
    {
        var streams = await server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams");
        return streams!.Single(s => s!["stream_id"]!.GetValue<string>() == streamId)!.AsObject();
    }

    private static async Task WaitForPendingAsync(SsfTestServer server, string streamId, long pending)
    {
        await Eventually.GetAsync(
            async () => (await AdminStreamAsync(server, streamId))["pending"]!.GetValue<long>(),
            seen => seen == pending,
            $"stream {streamId} to have {pending} pending",
            describe: seen => $"{seen} pending");
    }

    private static string EmailOf(string token)
    {
        using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]));
        return payload.RootElement.GetProperty("sub_id").GetProperty("email").GetString()!;
    }
}
