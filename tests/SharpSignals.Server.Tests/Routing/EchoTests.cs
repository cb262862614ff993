using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>
/// Issue 17, item 5: an event that arrives on a client's inbound stream is not routed to that client's
/// own outbound streams unless the inbound stream opts in with <c>source.echo</c> (a replication mesh:
/// every node gets every other node's events and never its own).
/// </summary>
public sealed class EchoTests
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Push_OnAClientsInboundStream_ReachesTheOtherClientsOutboundStream_AndItsOwnOnlyWithEcho(bool echo)
    {
        await using var server = SsfTestServer.StartListening();
        await using var nodeA = await TestTransmitter.StartAsync();
        await using var nodeB = await TestTransmitter.StartAsync();
        var a = await MeshNode.JoinAsync(server, nodeA, echo);
        var b = await MeshNode.JoinAsync(server, nodeB, echo: false);
        try
        {
            await a.PushInAsync(nodeA.Sign(server.Issuer, new { txn = "from-a" }));

            Assert.Equal(["from-a"], await TxnsAsync(server, b));
            Assert.Equal(echo ? ["from-a"] : [], await TxnsAsync(server, a));
        }
        finally
        {
            a.Client.Dispose();
            b.Client.Dispose();
        }
    }

    [Fact]
    public async Task Push_EachNodeOfAMesh_GetsTheOthersEventsOnceAndNeverItsOwn()
    {
        await using var server = SsfTestServer.StartListening();
        await using var nodeA = await TestTransmitter.StartAsync();
        await using var nodeB = await TestTransmitter.StartAsync();
        var a = await MeshNode.JoinAsync(server, nodeA, echo: false);
        var b = await MeshNode.JoinAsync(server, nodeB, echo: false);
        try
        {
            await a.PushInAsync(nodeA.Sign(server.Issuer, new { txn = "from-a" }));
            await b.PushInAsync(nodeB.Sign(server.Issuer, new { txn = "from-b" }));

            Assert.Equal(["from-b"], await TxnsAsync(server, a));
            Assert.Equal(["from-a"], await TxnsAsync(server, b));
        }
        finally
        {
            a.Client.Dispose();
            b.Client.Dispose();
        }
    }

    private static async Task<List<string>> PendingAsync(MeshNode node)
    {
        var answer = await SsfTestServer.PollAsync(node.Client, node.OutboundId, new { returnImmediately = true });
        return answer["sets"]!.AsObject().Select(s => s.Value!.GetValue<string>()).ToList();
    }

    private static async Task<List<string?>> TxnsAsync(SsfTestServer server, MeshNode node)
    {
        var txns = new List<string?>();
        foreach (var token in await PendingAsync(node))
        {
            txns.Add((await server.ValidateAsync(token)).Set!.Txn);
        }

        return txns;
    }

    /// <summary>A client of the project with its own inbound push stream (from its transmitter) and its own outbound poll stream.</summary>
    private sealed record MeshNode(HttpClient Client, string InboundEndpoint, string Credential, string OutboundId)
    {
        public static async Task<MeshNode> JoinAsync(SsfTestServer server, TestTransmitter source, bool echo)
        {
            var (client, _, _) = await server.RegisterClientAsync("mesh");
            var inbound = await SsfTestServer.CreateStreamAsync(client, new
            {
                direction = "inbound",
                delivery = new { method = "urn:ietf:rfc:8935" },
                source = new JsonObject { ["issuer"] = source.Issuer, ["jwks_uri"] = source.JwksUri, ["echo"] = echo },
            });
            var outbound = await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevoked } });
            Assert.Equal(echo, inbound["source"]!["echo"]!.GetValue<bool>());
            return new MeshNode(
                client,
                inbound["delivery"]!["endpoint_url"]!.GetValue<string>(),
                inbound["delivery"]!["authorization_header"]!.GetValue<string>(),
                outbound["stream_id"]!.GetValue<string>());
        }

        public async Task PushInAsync(string token)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, InboundEndpoint) { Content = new StringContent(token, Encoding.UTF8) };
            request.Content.Headers.ContentType = new("application/secevent+jwt");
            request.Headers.TryAddWithoutValidation("Authorization", Credential);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }
}
