using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>
/// Outbound streams with an <c>encryption</c> member (docs/API.md, "Encrypted SETs"): every SET is
/// signed, then encrypted to the receiver's key once, when its entry is made, so that a push retry and
/// a re-poll carry the same bytes; a receiver holding only its private key opens it and finds a SET
/// that verifies with the server's JWKS. Every bad member is a 400 that creates nothing.
/// </summary>
public sealed class EncryptedStreamTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private RecordingReceiver _endpoint = null!;
    private HttpClient _receiver = null!;
    private string _clientId = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(time: _time);
        _endpoint = await RecordingReceiver.StartAsync();
        (_receiver, _clientId, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task PushStream_WithInlineJwk_PushesAJweOnlyTheReceiversPrivateKeyOpens_HoldingTheServersSignedSet()
    {
        var (publicJwk, privateKey) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
            encryption = new { jwk = publicJwk, alg = SetEncryption.RsaOaep, enc = SetEncryption.A128CbcHs256 },
        });

        var jti = await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        var push = Assert.Single(await _endpoint.WaitForAsync(1));

        Assert.Equal("application/secevent+jwt", push.ContentType);
        var jwe = new JsonWebToken(push.Body);
        Assert.True(jwe.IsEncrypted);
        Assert.Equal((SetEncryption.RsaOaep, SetEncryption.A128CbcHs256, "JWT"), (jwe.Alg, jwe.Enc, jwe.Cty));
        Assert.Null(SetEncryption.TryDecrypt(push.Body, [new RsaSecurityKey(RSA.Create(2048))]));
        var inner = SetEncryption.TryDecrypt(push.Body, [privateKey]);
        Assert.NotNull(inner);
        var validation = await _server.ValidateAsync(inner, _clientId);
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal(EventTypes.Caep.SessionRevoked, validation.Set!.Events[0].EventType);
        Assert.NotEqual(jti, validation.Set.Jti);

        // The configuration shows the member as given: a public key, no secret.
        var shown = (await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={created["stream_id"]}"))!;
        Assert.Equal(SetEncryption.RsaOaep, (string?)shown["encryption"]!["alg"]);
        Assert.Equal((string?)publicJwk["n"], (string?)shown["encryption"]!["jwk"]!["n"]);
        Assert.Null(shown["encryption"]!["jwk"]!["d"]);
    }

    [Fact]
    public async Task PushRetry_SendsTheSameEncryptedBytes()
    {
        _endpoint.Respond = (n, _) => n == 0 ? (503, null, null) : (202, null, null);
        var (publicJwk, privateKey) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
            encryption = new { jwk = publicJwk, alg = SetEncryption.RsaOaep, enc = SetEncryption.A256CbcHs512 },
        }))["stream_id"]!;

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        await Eventually.TrueAsync(
            async () => await Deliveries.ReadPendingAsync(streamId, 1, CancellationToken.None) is [var head] && head.Attempts >= 1 && head.NextAttemptAt > _time.GetUtcNow(),
            "the retry to be scheduled");
        await Eventually.TrueAsync(
            () => _endpoint.Received.Count >= 2,
            "the retry",
            meanwhile: () => _time.Advance(TimeSpan.FromMilliseconds(500)),
            every: TimeSpan.FromMilliseconds(50));
        var pushes = await _endpoint.WaitForAsync(2);

        Assert.Equal(pushes[0].Body, pushes[1].Body);
        Assert.NotNull(SetEncryption.TryDecrypt(pushes[1].Body, [privateKey]));
    }

    [Fact]
    public async Task PollStream_WithJwksUri_ReturnsTheSameEncryptedBytesOnEveryPollUntilAcknowledged()
    {
        var (publicJwk, privateKey) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var signingKey = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA).Public;
        signingKey["use"] = "sig";
        _endpoint.Serve("/jwks.json", new JsonObject { ["keys"] = new JsonArray(signingKey, publicJwk) }.ToJsonString());
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            encryption = new { jwks_uri = _endpoint.Url("/jwks.json"), alg = SetEncryption.RsaOaep, enc = SetEncryption.A128CbcHs256 },
        }))["stream_id"]!;

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        var first = await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true });
        var second = await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true });

        var (jti, token) = Assert.Single(first["sets"]!.AsObject());
        Assert.Equal(token!.GetValue<string>(), second["sets"]![jti]!.GetValue<string>());
        var inner = SetEncryption.TryDecrypt(token.GetValue<string>(), [privateKey]);
        Assert.NotNull(inner);
        Assert.True((await _server.ValidateAsync(inner, _clientId)).IsValid);
        Assert.Equal((string?)publicJwk["kid"], new JsonWebToken(token.GetValue<string>()).Kid);

        var shown = (await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={streamId}"))!;
        Assert.Equal(_endpoint.Url("/jwks.json"), (string?)shown["encryption"]!["jwks_uri"]);
        Assert.Null(shown["encryption"]!["jwks_key"]);
    }

    [Fact]
    public async Task JwksUri_IsReadAgainHourly_NewEntriesUseTheReceiversNewKey_AndAFailedReadKeepsIt()
    {
        var (first, _) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var (second, secondPrivate) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        _endpoint.Serve("/rotating.json", new JsonObject { ["keys"] = new JsonArray(first) }.ToJsonString());
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            encryption = new { jwks_uri = _endpoint.Url("/rotating.json"), alg = SetEncryption.RsaOaep, enc = SetEncryption.A128CbcHs256 },
        }))["stream_id"]!;
        var catalog = _server.Factory.Services.GetRequiredService<SharpSignals.Server.Routing.StreamCatalog>();
        Assert.Equal((string?)first["kid"], catalog.Find(streamId)!.EncryptionKey!.Kid);

        _endpoint.Serve("/rotating.json", new JsonObject { ["keys"] = new JsonArray(second) }.ToJsonString());
        _time.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => catalog.Find(streamId)?.EncryptionKey?.Kid == (string?)second["kid"], "the receiver's new key to be read");

        _endpoint.Serve("/rotating.json", "not a key set");
        _time.Advance(TimeSpan.FromHours(1));

        // Two hours on, the client's access token has expired: the admin publishes and polls.
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked(), project: "p1");
        var token = Assert.Single((await SsfTestServer.PollAsync(_server.Admin, streamId, new { returnImmediately = true }))["sets"]!.AsObject()).Value!.GetValue<string>();

        Assert.Equal((string?)second["kid"], new JsonWebToken(token).Kid);
        Assert.NotNull(SetEncryption.TryDecrypt(token, [secondPrivate]));
        Assert.Equal((string?)second["kid"], catalog.Find(streamId)!.EncryptionKey!.Kid);
    }

    public static TheoryData<string, string> SupportedPairs() => EncryptionPairs.Supported();

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public async Task EverySupportedPair_EncryptsWhatTheReceiversKeyOpens(string alg, string enc)
    {
        var (publicJwk, privateKey) = ReceiverKey(EncryptionPairs.KeyTypeFor(alg));
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            encryption = new { jwk = publicJwk, alg, enc },
        }))["stream_id"]!;

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        var polled = await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true });

        var token = Assert.Single(polled["sets"]!.AsObject()).Value!.GetValue<string>();
        Assert.Equal((alg, enc), (new JsonWebToken(token).Alg, new JsonWebToken(token).Enc));
        var inner = SetEncryption.TryDecrypt(token, [privateKey]);
        Assert.NotNull(inner);
        Assert.True((await _server.ValidateAsync(inner, _clientId)).IsValid);
    }

    [Fact]
    public async Task Update_SetsAndRemovesEncryption()
    {
        var (publicJwk, privateKey) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;

        using (var patched = await _receiver.PatchAsJsonAsync("/ssf/streams", new { stream_id = streamId, encryption = new { jwk = publicJwk, alg = SetEncryption.RsaOaep, enc = SetEncryption.A128CbcHs256 } }))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());
        using (var removed = await _receiver.PatchAsJsonAsync("/ssf/streams", JsonNode.Parse($$"""{"stream_id":"{{streamId}}","encryption":null}""")))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            Assert.Null((await removed.Content.ReadFromJsonAsync<JsonObject>())!["encryption"]);
        }

        await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked("bob@example.com"));
        var sets = (await SsfTestServer.PollAsync(_receiver, streamId, new { returnImmediately = true }))["sets"]!.AsObject()
            .Select(s => s.Value!.GetValue<string>()).ToList();

        Assert.Equal(2, sets.Count);
        Assert.Single(sets, s => new JsonWebToken(s).IsEncrypted && SetEncryption.TryDecrypt(s, [privateKey]) is not null);
        Assert.Single(sets, s => !new JsonWebToken(s).IsEncrypted);
    }

    public static TheoryData<string, string> BadMembers() => new()
    {
        { "alg RSA1_5", "encryption.alg RSA1_5 is not supported" },
        { "enc unknown", "encryption.enc A1024XYZ is not supported" },
        { "alg missing", "encryption.alg is required" },
        { "key with use sig", "encryption.jwk must have use enc" },
        { "key without use", "encryption.jwk must have use enc" },
        { "EC key for RSA-OAEP", "encryption.jwk is a EC key; RSA-OAEP needs a RSA key" },
        { "key for another alg", "encryption.jwk is for alg RSA-OAEP-256, not RSA-OAEP" },
        { "private key", "encryption.jwk must be a public key" },
        { "both jwk and jwks_uri", "encryption takes exactly one of jwks_uri and jwk" },
        { "neither jwk nor jwks_uri", "encryption takes exactly one of jwks_uri and jwk" },
        { "jwks_uri not a URL", "encryption.jwks_uri " },
        { "jwks_uri that cannot be read", "encryption.jwks_uri could not be read" },
        { "jwks_uri without a usable key", "encryption.jwks_uri publishes no public RSA key with use enc for RSA-OAEP" },
        { "unknown member", "encryption.kid is not a member of encryption" },
        { "not an object", "encryption must be an object" },
        { "on an inbound stream", "encryption is only for outbound streams" },
    };

    [Theory]
    [MemberData(nameof(BadMembers))]
    public async Task Create_WithABadEncryptionMember_Is400NamingItAndCreatesNothing(string defect, string expected)
    {
        var (rsa, _) = ReceiverKey(JsonWebAlgorithmsKeyTypes.RSA);
        var (ec, _) = ReceiverKey(JsonWebAlgorithmsKeyTypes.EllipticCurve);
        _endpoint.Serve("/sig-only.json", new JsonObject { ["keys"] = new JsonArray(With(rsa, "use", "sig")) }.ToJsonString());
        JsonNode encryption(JsonNode key) => new JsonObject { ["jwk"] = key, ["alg"] = "RSA-OAEP", ["enc"] = "A128CBC-HS256" };
        var body = new JsonObject { ["events_requested"] = new JsonArray(EventTypes.Caep.SessionRevoked) };
        body["encryption"] = defect switch
        {
            "alg RSA1_5" => With(encryption(rsa), "alg", "RSA1_5"),
            "enc unknown" => With(encryption(rsa), "enc", "A1024XYZ"),
            "alg missing" => Without(encryption(rsa), "alg"),
            "key with use sig" => encryption(With(rsa, "use", "sig")),
            "key without use" => encryption(Without(rsa, "use")),
            "EC key for RSA-OAEP" => encryption(ec),
            "key for another alg" => encryption(With(rsa, "alg", "RSA-OAEP-256")),
            "private key" => encryption(PrivateRsaJwk()),
            "both jwk and jwks_uri" => With(encryption(rsa), "jwks_uri", _endpoint.Url("/jwks.json")),
            "neither jwk nor jwks_uri" => Without(encryption(rsa), "jwk"),
            "jwks_uri not a URL" => new JsonObject { ["jwks_uri"] = "not a url", ["alg"] = "RSA-OAEP", ["enc"] = "A128CBC-HS256" },
            "jwks_uri that cannot be read" => new JsonObject { ["jwks_uri"] = _endpoint.Url("/missing.json"), ["alg"] = "RSA-OAEP", ["enc"] = "A128CBC-HS256" },
            "jwks_uri without a usable key" => new JsonObject { ["jwks_uri"] = _endpoint.Url("/sig-only.json"), ["alg"] = "RSA-OAEP", ["enc"] = "A128CBC-HS256" },
            "unknown member" => With(encryption(rsa), "kid", "x"),
            "not an object" => "RSA-OAEP",
            "on an inbound stream" => encryption(rsa),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
        if (defect == "on an inbound stream")
        {
            body["direction"] = "inbound";
            body["source"] = new JsonObject { ["issuer"] = _endpoint.Url(""), ["jwks_uri"] = _endpoint.Url("/jwks.json") };
        }

        using var response = await _server.Admin.PostAsync("/ssf/streams", JsonContent.Create(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(expected, StringComparison.Ordinal));
        Assert.Empty(await _server.Admin.GetFromJsonAsync<JsonElement[]>("/ssf/streams") ?? []);
    }

    [Fact]
    public async Task Update_WithABadEncryptionMember_Is400AndKeepsTheStreamAsItWas()
    {
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;

        using var response = await _receiver.PatchAsJsonAsync("/ssf/streams", new { stream_id = streamId, encryption = new { jwks_uri = _endpoint.Url("/missing.json"), alg = "RSA-OAEP", enc = "A128CBC-HS256" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var shown = (await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={streamId}"))!;
        Assert.Null(shown["encryption"]);
    }

    private IDeliveryStore Deliveries => _server.Factory.Services.GetRequiredService<IDeliveryStore>();

    /// <summary>A receiver's key pair: its public JWK with <c>use: enc</c>, and the private key only it holds.</summary>
    private static (JsonObject Public, SecurityKey Private) ReceiverKey(string keyType)
    {
        var kid = "receiver-" + Guid.NewGuid().ToString("N")[..8];
        if (keyType == JsonWebAlgorithmsKeyTypes.RSA)
        {
            var rsa = RSA.Create(2048);
            var parameters = rsa.ExportParameters(false);
            return (new JsonObject { ["kty"] = "RSA", ["use"] = "enc", ["kid"] = kid, ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent) },
                new RsaSecurityKey(rsa) { KeyId = kid });
        }

        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = ec.ExportParameters(false).Q;
        return (new JsonObject { ["kty"] = "EC", ["use"] = "enc", ["kid"] = kid, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(point.X), ["y"] = Base64UrlEncoder.Encode(point.Y) },
            new ECDsaSecurityKey(ec) { KeyId = kid });
    }

    private static JsonObject PrivateRsaJwk()
    {
        var parameters = RSA.Create(2048).ExportParameters(true);
        return new JsonObject
        {
            ["kty"] = "RSA", ["use"] = "enc",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["d"] = Base64UrlEncoder.Encode(parameters.D), ["p"] = Base64UrlEncoder.Encode(parameters.P), ["q"] = Base64UrlEncoder.Encode(parameters.Q),
            ["dp"] = Base64UrlEncoder.Encode(parameters.DP), ["dq"] = Base64UrlEncoder.Encode(parameters.DQ), ["qi"] = Base64UrlEncoder.Encode(parameters.InverseQ),
        };
    }

    private static JsonNode With(JsonNode node, string name, string value)
    {
        var copy = node.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    private static JsonNode Without(JsonNode node, string name)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }
}
