using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Interop;

/// <summary>
/// notiflux compatibility: a subscriber on the npm <c>ws</c> WebSocket and a publisher whose ES256
/// tokens come from the npm <c>jose</c> package, speaking notiflux's commands and broadcast body.
/// </summary>
public sealed class NotifluxInteropTests
{
    [Fact]
    public async Task NotifluxClientAndPublisher_WithJoseTokens_WorkUnchanged()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKeyBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
        await using var server = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Realtime:TrustedKeys:0"] = publicKeyBase64 });

        var answer = await NodeScript.RunAsync("notiflux-client.mjs", new JsonObject
        {
            ["baseUrl"] = server.Issuer,
            ["privateKeyPem"] = key.ExportPkcs8PrivateKeyPem(),
            ["topic"] = "campaign:42",
            ["messages"] = new JsonArray("first", "{\"json\": true}", "third"),
        });

        Assert.Equal([200, 200, 200, 403, 200], answer["statuses"]!.AsArray().Select(s => (int)s!));
        Assert.Equal(["first", "{\"json\": true}", "third"], answer["received"]!.AsArray().Select(f => (string)f!));
        var refused = answer["refused"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(3, refused.Count);
        Assert.StartsWith("error: insufficient_scope", refused[0], StringComparison.Ordinal);
        Assert.Equal("Invalid subscribe command, it should be: /subscribe <topic> <token>", refused[1]);
        Assert.Equal("Unknown command", refused[2]);
    }
}
