using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Encryption;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// SETs pushed to an inbound stream encrypted to the server's key (docs/API.md, "Encrypted SETs"): the
/// server publishes an RSA key (and an EC key once ECDH-ES is supported) with <c>use: enc</c> in its
/// JWKS, opens what is encrypted to it and checks the signed SET inside as any other; a JWE it cannot
/// or will not open (another key, an algorithm it does not take, <c>zip</c>, PBES2) is a 400 with its
/// RFC 8935 <c>err</c>, and nothing is stored.
/// </summary>
public sealed class EncryptedIntakeTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private TestTransmitter _source = null!;
    private string _streamId = null!;
    private string _credential = null!;
    private string _outboundId = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer();
        _source = await TestTransmitter.StartAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = _source.Issuer },
        });
        _streamId = inbound["stream_id"]!.GetValue<string>();
        _credential = inbound["delivery"]!["authorization_header"]!.GetValue<string>();
        var outbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new { events_requested = new[] { "https://schemas.openid.net/secevent/caep/event-type/session-revoked" } });
        _outboundId = outbound["stream_id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Jwks_PublishesEncryptionKeysBesideTheSigningKeys_TheSameAfterARestart()
    {
        var keys = await EncryptionKeysAsync();

        Assert.Contains(keys, k => (string?)k["kty"] == "RSA");
        Assert.All(keys, k =>
        {
            Assert.Contains((string)k["alg"]!, SetEncryption.KeyManagementAlgorithms);
            Assert.Null(k["d"]);
        });
        var jwks = await _server.Admin.GetFromJsonAsync<JsonObject>("/jwks.json");
        Assert.Contains(jwks!["keys"]!.AsArray(), k => (string?)k!["use"] == "sig");

        var stopped = _server;
        _server = await stopped.RestartAsync();
        await stopped.DisposeAsync();
        Assert.Equal(keys.Select(k => (string?)k["kid"]), (await EncryptionKeysAsync()).Select(k => (string?)k["kid"]));
    }

    public static TheoryData<string, string> SupportedPairs() => EncryptionPairs.Supported();

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public async Task Push_SetEncryptedToTheServersKey_Is202AndRouted(string alg, string enc)
    {
        var key = await ServerKeyForAsync(alg);
        var token = _source.Sign(ServerFactory.Issuer);

        using var response = await PushAsync(SetEncryption.Encrypt(token, key, alg, enc));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var polled = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        var delivered = Assert.Single(polled["sets"]!.AsObject());
        var validation = await _server.ValidateAsync(delivered.Value!.GetValue<string>());
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal(new JsonWebToken(token).GetClaim("txn").Value, validation.Set!.Txn);
    }

    public static TheoryData<string, string> Defects() => new()
    {
        { "zip DEF", "invalid_request" },
        { "alg RSA1_5", "invalid_key" },
        { "alg PBES2 with a huge p2c", "invalid_key" },
        { "alg dir", "invalid_key" },
        { "encrypted to another key", "invalid_key" },
        { "an unsigned SET inside", "invalid_request" },
        { "a SET signed by another key inside", "authentication_failed" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Push_JweTheServerWillNotOpen_Is400WithItsErrAndStoresNothing(string defect, string expectedErr)
    {
        var key = await ServerKeyForAsync(SetEncryption.RsaOaep);
        var signed = _source.Sign(ServerFactory.Issuer);
        var handler = new JsonWebTokenHandler();
        var token = defect switch
        {
            "zip DEF" => handler.EncryptToken(signed, new EncryptingCredentials(key, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256), "DEF"),
            "alg RSA1_5" => handler.EncryptToken(signed, new EncryptingCredentials(key, "RSA1_5", SetEncryption.A128CbcHs256)),
            "alg PBES2 with a huge p2c" => Compact("""{"alg":"PBES2-HS256+A128KW","enc":"A128CBC-HS256","p2s":"c2FsdHNhbHRzYWx0","p2c":2000000000,"cty":"JWT"}"""),
            "alg dir" => Compact("""{"alg":"dir","enc":"A128CBC-HS256","cty":"JWT"}"""),
            "encrypted to another key" => SetEncryption.Encrypt(signed, AnotherRsaKey(), SetEncryption.RsaOaep, SetEncryption.A128CbcHs256),
            "an unsigned SET inside" => SetEncryption.Encrypt(TestTransmitter.Unsigned(_source.Claims(ServerFactory.Issuer)), key, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256),
            "a SET signed by another key inside" => SetEncryption.Encrypt(
                _source.Sign(ServerFactory.Issuer, key: new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = _source.Key.KeyId }),
                key, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };

        using var response = await PushAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expectedErr, body.GetProperty("err").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("description").GetString()));
        var polled = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        Assert.Empty(polled["sets"]!.AsObject());
    }

    [Fact]
    public async Task PolledFromASource_AnEncryptedSetIsTakenIn_AndOneWithZipComesBackInSetErrs()
    {
        await using var pollSource = await FakePollSource.StartAsync();
        var key = await ServerKeyForAsync(SetEncryption.RsaOaep);
        var zipping = new EncryptingCredentials(key, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256);
        pollSource.Queue("polled-plain", SetEncryption.Encrypt(_source.Sign(ServerFactory.Issuer, new { jti = "polled-plain" }), key, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256));
        pollSource.Queue("polled-zip", new JsonWebTokenHandler().EncryptToken(_source.Sign(ServerFactory.Issuer, new { jti = "polled-zip" }), zipping, "DEF"));

        await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8936", endpoint_url = pollSource.Url, authorization_header = "Bearer source-credential" },
            source = new { issuer = _source.Issuer },
        });
        var polls = await pollSource.WaitForAsync(p => p.Any(r => r.Ack.Contains("polled-plain")) && p.Any(r => r.SetErrs.ContainsKey("polled-zip")));

        Assert.Equal("invalid_request", polls.First(r => r.SetErrs.ContainsKey("polled-zip")).SetErrs["polled-zip"]!["err"]!.GetValue<string>());
        var routed = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        Assert.Single(routed["sets"]!.AsObject());
        using var refused = await _server.Admin.GetAsync("/events/polled-zip");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    /// <summary>The server's published encryption keys.</summary>
    private async Task<List<JsonNode>> EncryptionKeysAsync()
    {
        var jwks = await _server.Admin.GetFromJsonAsync<JsonObject>("/jwks.json");
        return [.. jwks!["keys"]!.AsArray().Where(k => (string?)k!["use"] == "enc").Select(k => k!)];
    }

    /// <summary>The server's published key for <paramref name="alg"/>'s key type, as a sender reads it from the JWKS.</summary>
    private async Task<JsonWebKey> ServerKeyForAsync(string alg)
    {
        var keyType = EncryptionPairs.KeyTypeFor(alg);
        var key = (await EncryptionKeysAsync()).Single(k => (string?)k["kty"] == keyType);

        // The key is published with the alg the server prefers for its type (RSA-OAEP-256, ECDH-ES); the server
        // opens every supported alg of that type, so a sender that chooses another one leaves the key's alg out.
        if ((string?)key["alg"] != alg)
        {
            key.AsObject().Remove("alg");
        }

        return new JsonWebKey(key.ToJsonString());
    }

    private static JsonWebKey AnotherRsaKey()
    {
        var parameters = RSA.Create(2048).ExportParameters(false);
        return new JsonWebKey { Kty = "RSA", Use = "enc", N = Base64UrlEncoder.Encode(parameters.Modulus), E = Base64UrlEncoder.Encode(parameters.Exponent) };
    }

    /// <summary>A compact JWE with this header and random other parts: the server must refuse it on its header alone.</summary>
    private static string Compact(string header) =>
        string.Join('.', Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header)),
            Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)), Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(64)), Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)));

    private async Task<HttpResponseMessage> PushAsync(string token)
    {
        using var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{_streamId}") { Content = new StringContent(token, Encoding.ASCII) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Authorization", _credential);
        return await client.SendAsync(request);
    }
}
