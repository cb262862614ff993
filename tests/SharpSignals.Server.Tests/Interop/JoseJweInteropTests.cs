using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Interop;

/// <summary>
/// Encrypted SETs against the npm <c>jose</c> package, both ways, for every pair the token library
/// supports: what jose encrypts to the server's published key is taken in, and what the server pushes
/// to a receiver's key jose decrypts, finding a SET that verifies with the server's JWKS.
/// </summary>
public sealed class JoseJweInteropTests
{
    public static TheoryData<string, string> SupportedPairs() => EncryptionPairs.Supported();

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public async Task JoseEncryptsToTheServersJwks_TheServerTakesTheSetIn(string alg, string enc)
    {
        await using var server = new SsfTestServer();
        await using var source = await TestTransmitter.StartAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = source.Issuer },
        });
        var outbound = await SsfTestServer.CreateStreamAsync(server.Admin, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } });
        var jwks = await server.Admin.GetFromJsonAsync<JsonObject>("/jwks.json");
        var keyType = EncryptionPairs.KeyTypeFor(alg);
        var serverKey = jwks!["keys"]!.AsArray().Single(k => (string?)k!["use"] == "enc" && (string?)k["kty"] == keyType)!;
        var signed = source.Sign(ServerFactory.Issuer);

        var answer = await NodeScript.RunAsync("jwe-interop.mjs", new JsonObject
        {
            ["encrypt"] = new JsonArray(new JsonObject { ["jwk"] = serverKey.DeepClone(), ["alg"] = alg, ["enc"] = enc, ["plaintext"] = signed }),
        });
        var jwe = (string)answer["encrypted"]![0]!;

        using var client = server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{inbound["stream_id"]}") { Content = new StringContent(jwe, Encoding.ASCII) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.TryAddWithoutValidation("Authorization", (string)inbound["delivery"]!["authorization_header"]!);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var polled = await SsfTestServer.PollAsync(server.Admin, (string)outbound["stream_id"]!, new { returnImmediately = true });
        Assert.Single(polled["sets"]!.AsObject());
    }

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public async Task TheServerPushesEncrypted_JoseDecryptsWithTheReceiversPrivateKeyOnly(string alg, string enc)
    {
        await using var server = new SsfTestServer();
        await using var endpoint = await RecordingReceiver.StartAsync();
        var (receiver, clientId, _) = await server.RegisterClientAsync();
        using var _ = receiver;
        var (publicJwk, privateJwk) = ReceiverKeyPair(EncryptionPairs.KeyTypeFor(alg));
        await SsfTestServer.CreateStreamAsync(receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = endpoint.Url() },
            encryption = new { jwk = publicJwk, alg, enc },
        });

        await SsfTestServer.PublishAsync(receiver, SsfTestServer.SessionRevoked());
        var push = Assert.Single(await endpoint.WaitForAsync(1));
        var answer = await NodeScript.RunAsync("jwe-interop.mjs", new JsonObject
        {
            ["decrypt"] = new JsonArray(new JsonObject { ["jwk"] = privateJwk, ["alg"] = alg, ["jwe"] = push.Body }),
        });

        var decrypted = answer["decrypted"]![0]!;
        Assert.Equal((alg, enc, "JWT"), ((string?)decrypted["header"]!["alg"], (string?)decrypted["header"]!["enc"], (string?)decrypted["header"]!["cty"]));
        var validation = await server.ValidateAsync((string)decrypted["plaintext"]!, clientId);
        Assert.True(validation.IsValid, validation.Error?.Description);
    }

    /// <summary>A receiver's key pair as JWKs: the public one (use enc) it gives the server, the private one only it holds.</summary>
    private static (JsonObject Public, JsonObject Private) ReceiverKeyPair(string keyType)
    {
        JsonObject full;
        if (keyType == "RSA")
        {
            var p = RSA.Create(2048).ExportParameters(true);
            full = new JsonObject
            {
                ["kty"] = "RSA", ["n"] = B64(p.Modulus), ["e"] = B64(p.Exponent), ["d"] = B64(p.D), ["p"] = B64(p.P), ["q"] = B64(p.Q),
                ["dp"] = B64(p.DP), ["dq"] = B64(p.DQ), ["qi"] = B64(p.InverseQ),
            };
        }
        else
        {
            var p = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportParameters(true);
            full = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = B64(p.Q.X), ["y"] = B64(p.Q.Y), ["d"] = B64(p.D) };
        }

        full["use"] = "enc";
        full["kid"] = "receiver";
        var publicOnly = (JsonObject)full.DeepClone();
        foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            publicOnly.Remove(member);
        }

        return (publicOnly, full);
    }

    private static string B64(byte[]? bytes) => Base64UrlEncoder.Encode(bytes);
}
