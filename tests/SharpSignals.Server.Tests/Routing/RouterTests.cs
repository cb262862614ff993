using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>
/// Servers routing to each other over loopback HTTP (issue 4, "Routing"): forward keeps the source's
/// bytes, republish re-signs under the router's issuer, and project replication through a hub
/// brings every node's events to every other node once and never back.
/// </summary>
public sealed class RouterTests
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    [Fact]
    public async Task Router_ForwardKeepsTheSourcesBytes_RepublishReSignsAndKeepsTxn()
    {
        await using var a = SsfTestServer.StartListening();
        await using var b = SsfTestServer.StartListening();
        await using var receiver = await RecordingReceiver.StartAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(b.Admin, new { direction = "inbound", source = new { issuer = a.Issuer } });
        await SsfTestServer.CreateStreamAsync(a.Admin, new
        {
            aud = b.Issuer,
            events_requested = new[] { SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = inbound["delivery"]!["endpoint_url"]!.GetValue<string>(), authorization_header = inbound["delivery"]!["authorization_header"]!.GetValue<string>() },
        });
        await SsfTestServer.CreateStreamAsync(b.Admin, new { route_mode = "forward", events_requested = new[] { SessionRevoked }, delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = receiver.Url("/forward") } });
        await SsfTestServer.CreateStreamAsync(b.Admin, new { aud = "https://downstream.example.com", events_requested = new[] { SessionRevoked }, delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = receiver.Url("/republish") } });

        var published = await SsfTestServer.PublishAsync(a.Admin, """{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"initiating_entity":"policy"}},"sub_id":{"format":"email","email":"bob@example.com"},"txn":"txn-forward-1"}""");

        var pushes = await WaitForEventsAsync(receiver, 2);
        var forwarded = Assert.Single(pushes, p => p.Path == "/forward").Body;
        var republished = Assert.Single(pushes, p => p.Path == "/republish").Body;

        // Forward: the very token A pushed to B, which B stored as it arrived.
        var stored = await ReadStoredEventAsync(b, Claim(forwarded, "jti"));
        Assert.Equal(stored.GetProperty("token").GetString(), forwarded);
        Assert.Equal(a.Issuer, Claim(forwarded, "iss"));
        var fromA = await ValidateAsync(a, forwarded, b.Issuer);
        Assert.True(fromA.IsValid, fromA.Error?.Description);

        // Republish: B's issuer and keys, a new jti, the stream's aud, the same txn and event.
        var fromB = await ValidateAsync(b, republished, "https://downstream.example.com");
        Assert.True(fromB.IsValid, fromB.Error?.Description);
        Assert.Equal("txn-forward-1", fromB.Set!.Txn);
        Assert.NotEqual(Claim(forwarded, "jti"), fromB.Set.Jti);
        Assert.NotEqual(published, fromB.Set.Jti);
        Assert.Equal(SessionRevoked, fromB.Set.Event.EventType);
    }

    [Fact]
    public async Task ProjectReplication_EveryNodesEventsReachTheOthersOnceAndNeverItself()
    {
        await using var hub = SsfTestServer.StartListening();
        var nodes = new List<Node>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await Node.JoinAsync(hub, $"node{i}"));
            }

            const int perNode = 5;
            foreach (var node in nodes)
            {
                for (var n = 0; n < perNode; n++)
                {
                    await node.PublishAsync(hub, $"{node.Name}-{n}");
                }
            }

            foreach (var node in nodes)
            {
                var pushes = await WaitForEventsAsync(node.Receiver, perNode * (nodes.Count - 1));
                var txns = pushes.Select(p => Claim(p.Body, "txn")).ToList();
                var expected = nodes.Where(other => other != node).SelectMany(other => Enumerable.Range(0, perNode).Select(n => $"{other.Name}-{n}"));
                Assert.Equal(expected.Order(), txns.Order());
            }

            // Nothing more arrives afterwards: no echo, no second copy. Events are routed as they are
            // taken in, so once the hub has nothing pending it has nothing more to push.
            await Eventually.TrueAsync(
                async () => (await hub.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.All(s => s!["pending"]!.GetValue<long>() == 0),
                "the hub to have nothing left to push");
            Assert.All(nodes, node => Assert.Equal(perNode * (nodes.Count - 1), EventPushes(node.Receiver).Count));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.Receiver.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A node of a project (the i2scim cluster case): a client of the hub that pushes its own SETs in on
    /// one inbound stream and takes the others' out on one outbound push stream, both its own. It sends
    /// no flag of this server's: never getting its own events back is the default.
    /// </summary>
    private sealed record Node(string Name, SetSigningKey Key, string Issuer, string InboundEndpoint, string Credential, RecordingReceiver Receiver)
    {
        public static async Task<Node> JoinAsync(SsfTestServer hub, string name)
        {
            var receiver = await RecordingReceiver.StartAsync();
            var key = SetSigningKey.Generate();
            var issuer = receiver.Url("/" + name);
            var (client, _, _) = await hub.RegisterClientAsync("replicated");
            var inbound = await SsfTestServer.CreateStreamAsync(client, new
            {
                direction = "inbound",
                source = new { issuer, jwks_uri = receiver.Url($"/{name}/jwks.json") },
            });
            receiver.Serve($"/{name}/jwks.json", Jwk.WritePublicSet([key.PublicJwk]));
            await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevoked }, delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = receiver.Url($"/{name}/events") } });
            return new Node(name, key, issuer, inbound["delivery"]!["endpoint_url"]!.GetValue<string>(), inbound["delivery"]!["authorization_header"]!.GetValue<string>(), receiver);
        }

        public async Task PublishAsync(SsfTestServer hub, string txn)
        {
            var token = new SharpSignals.Tokens.Sets.SetSigner(Key).Sign(new SharpSignals.Tokens.Sets.SecurityEventToken
            {
                Issuer = Issuer,
                Audience = [hub.Issuer],
                IssuedAt = DateTimeOffset.UtcNow,
                Jti = Guid.NewGuid().ToString("N"),
                Txn = txn,
                Subject = new SharpSignals.Tokens.Subjects.EmailSubject("carol@example.com"),
                Events = [new SharpSignals.Tokens.Events.SessionRevoked()],
            });
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, InboundEndpoint) { Content = new StringContent(token) };
            request.Content.Headers.ContentType = new("application/secevent+jwt");
            request.Headers.TryAddWithoutValidation("Authorization", Credential);
            using var response = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static List<RecordedPush> EventPushes(RecordingReceiver receiver) =>
        receiver.Received.Where(p => p.Body.Split('.').Length == 3 && Payload(p.Body).GetProperty("events").TryGetProperty(SessionRevoked, out _)).ToList();

    /// <summary>Waits for <paramref name="count"/> pushes of the test's event type, ignoring stream events such as verifications.</summary>
    private static async Task<List<RecordedPush>> WaitForEventsAsync(RecordingReceiver receiver, int count)
    {
        await Eventually.TrueAsync(() => EventPushes(receiver).Count >= count, $"{count} event pushes", seen: () => $"{EventPushes(receiver).Count} event pushes");
        var pushes = EventPushes(receiver);
        Assert.True(pushes.Count >= count, $"Expected {count} event pushes, got {pushes.Count}.");
        return pushes;
    }

    private static async Task<JsonElement> ReadStoredEventAsync(SsfTestServer server, string jti) =>
        await server.Admin.GetFromJsonAsync<JsonElement>($"/events/{jti}");

    private static async Task<SetValidationResult> ValidateAsync(SsfTestServer server, string token, string audience)
    {
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(await server.Admin.GetStringAsync(new Uri("/jwks.json", UriKind.Relative))),
            ValidIssuers = [server.Issuer],
            ValidAudiences = [audience],
        });
        return await validator.ValidateAsync(token, CancellationToken.None);
    }

    private static JsonElement Payload(string token) => JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement;

    private static string Claim(string token, string name) => Payload(token).GetProperty(name).GetString()!;
}
