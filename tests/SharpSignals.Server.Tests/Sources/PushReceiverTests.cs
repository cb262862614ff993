using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// <c>POST /ssf/push/{stream_id}</c> (RFC 8935) on an inbound push stream: a valid SET is 202 with an
/// empty body and routed; every defect is a 400 with its exact <c>err</c> and stores nothing.
/// </summary>
public sealed class PushReceiverTests : IAsyncLifetime
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
        Assert.Equal($"{ServerFactory.Issuer}/ssf/push/{_streamId}", inbound["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Equal(_source.Issuer, inbound["iss"]!.GetValue<string>());

        var outbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new { events_requested = new[] { "https://schemas.openid.net/secevent/caep/event-type/session-revoked" } });
        _outboundId = outbound["stream_id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Push_ValidSet_Is202WithEmptyBodyAndRoutedToTheOutboundStream()
    {
        var token = _source.Sign(ServerFactory.Issuer);

        using var response = await PushAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var polled = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        var delivered = Assert.Single(polled["sets"]!.AsObject());
        var validation = await _server.ValidateAsync(delivered.Value!.GetValue<string>());
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal(ClaimOf(token, "txn"), validation.Set!.Txn);
    }

    [Fact]
    public async Task Push_SameJtiTwice_IsAcceptedTwiceAndStoredOnce()
    {
        var token = _source.Sign(ServerFactory.Issuer);

        using var first = await PushAsync(token);
        using var second = await PushAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var polled = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        Assert.Single(polled["sets"]!.AsObject());
    }

    public static TheoryData<string, string> Defects() => new()
    {
        { "bad signature", "authentication_failed" },
        { "unknown kid", "invalid_key" },
        { "key of another issuer", "authentication_failed" },
        { "alg none", "invalid_request" },
        { "wrong iss", "invalid_issuer" },
        { "wrong aud", "invalid_audience" },
        { "sub present", "invalid_request" },
        { "exp present", "invalid_request" },
        { "missing typ", "invalid_request" },
        { "oversized body", "invalid_request" },
        { "not a JWT", "invalid_request" },
        { "event type the stream does not carry", "access_denied" },
        { "crit naming an extension", "invalid_request" },
        { "b64 false, marked critical", "invalid_request" },
        { "kid twice in the header", "invalid_request" },
        { "aud twice", "invalid_request" },
        { "iat older than the retention period", "invalid_request" },
        { "iat beyond the clock skew in the future", "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Push_Defect_Is400WithExactErrAndStoresNothing(string defect, string expectedErr)
    {
        var token = Defective(defect);

        using var response = await PushAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("en", Assert.Single(response.Content.Headers.ContentLanguage));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expectedErr, body.GetProperty("err").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("description").GetString()));
        await AssertNothingStoredAsync(token);
    }

    [Theory]
    [MemberData(nameof(TestTransmitter.PoisonKinds), MemberType = typeof(TestTransmitter))]
    public async Task Push_ValidlySignedSetThatCannotBeRead_Is400InvalidRequestAndStoresNothing(string poison)
    {
        var token = _source.SignPoison(ServerFactory.Issuer, poison);

        using var response = await PushAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", body.GetProperty("err").GetString());
        await AssertNothingStoredAsync(token);

        // The source moves on: the next SET is taken.
        using var next = await PushAsync(_source.Sign(ServerFactory.Issuer));
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    public async Task Push_WithoutTheReceiveCredential_Is401AndStoresNothing(string? credential)
    {
        var token = _source.Sign(ServerFactory.Issuer);

        using var response = await PushAsync(token, credential, omitCredential: credential is null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(token);
    }

    [Fact]
    public async Task Push_ToAnUnknownStream_Is401LikeAWrongCredential()
    {
        using var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ssf/push/no-such-stream") { Content = SetContent(_source.Sign(ServerFactory.Issuer)) };
        request.Headers.TryAddWithoutValidation("Authorization", _credential);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Push_WithAnotherContentType_Is400InvalidRequest()
    {
        using var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{_streamId}") { Content = new StringContent(_source.Sign(ServerFactory.Issuer), Encoding.ASCII, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", _credential);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("err").GetString());
    }

    [Fact]
    public async Task Push_WhenTheSourceKeysCannotBeFetched_Is503SoTheSourceRetries()
    {
        var unreachable = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            source = new { issuer = _source.Issuer, jwks_uri = "http://127.0.0.1:9/jwks.json" },
        });
        using var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{unreachable["stream_id"]}") { Content = SetContent(_source.Sign(ServerFactory.Issuer)) };
        request.Headers.TryAddWithoutValidation("Authorization", unreachable["delivery"]!["authorization_header"]!.GetValue<string>());

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ReadStream_NeverShowsTheReceiveCredentialAgain()
    {
        var read = await _server.Admin.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={_streamId}");

        Assert.Null(read!["delivery"]!["authorization_header"]);
        Assert.Equal("inbound", read["direction"]!.GetValue<string>());
    }

    [Fact]
    public async Task Verify_OnAnInboundStreamNotJoined_Is400()
    {
        using var response = await _server.Admin.PostAsJsonAsync("/ssf/verify", new { stream_id = _streamId, state = "s" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("verified by its source", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private string Defective(string defect)
    {
        var audience = ServerFactory.Issuer;
        // Another issuer's key presented under the source's kid: it must not verify.
        var stranger = new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(((Microsoft.IdentityModel.Tokens.ECDsaSecurityKey)SetSigningKey.Generate().SecurityKey).ECDsa) { KeyId = _source.Key.KeyId };
        return defect switch
        {
            "bad signature" => Tamper(_source.Sign(audience)),
            "unknown kid" => _source.Sign(audience, key: SetSigningKey.Generate().SecurityKey),
            "key of another issuer" => _source.Sign(audience, key: stranger),
            "alg none" => TestTransmitter.Unsigned(_source.Claims(audience)),
            "wrong iss" => _source.Sign(audience, new { iss = "https://evil.example.com" }),
            "wrong aud" => _source.Sign(audience, new { aud = "https://someone-else.example.com" }),
            "sub present" => _source.Sign(audience, new { sub = "alice" }),
            "exp present" => _source.Sign(audience, new { exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }),
            "missing typ" => _source.Sign(audience, header: []),
            "oversized body" => _source.Sign(audience, new { padding = new string('x', 70_000) }),
            "not a JWT" => "this is not a token",
            "crit naming an extension" => _source.Sign(audience, header: new() { ["typ"] = "secevent+jwt", ["crit"] = new[] { "urn:example:ext" }, ["urn:example:ext"] = true }),
            "b64 false, marked critical" => _source.Sign(audience, header: new() { ["typ"] = "secevent+jwt", ["crit"] = new[] { "b64" }, ["b64"] = false }),
            "kid twice in the header" => _source.SignText(
                $$"""{"alg":"{{_source.Key.Algorithm}}","typ":"secevent+jwt","kid":"other","kid":"{{_source.Key.KeyId}}"}""",
                _source.Claims(audience).ToJsonString()),
            "aud twice" => _source.SignText(
                $$"""{"alg":"{{_source.Key.Algorithm}}","typ":"secevent+jwt","kid":"{{_source.Key.KeyId}}"}""",
                _source.Claims(audience).ToJsonString().Replace("\"aud\":", "\"aud\":\"https://other.example.com\",\"aud\":", StringComparison.Ordinal)),
            "iat older than the retention period" => _source.Sign(audience, new { iat = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeSeconds() }),
            "iat beyond the clock skew in the future" => _source.Sign(audience, new { iat = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }),
            "event type the stream does not carry" => _source.Sign(audience, new { events = new Dictionary<string, object> { ["https://example.com/unknown-event"] = new { } } }),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[5] = signature[5] == 'A' ? 'B' : 'A';
        return $"{parts[0]}.{parts[1]}.{new string(signature)}";
    }

    private async Task AssertNothingStoredAsync(string token)
    {
        if (token.Split('.') is [_, _, _] && ClaimOf(token, "jti") is { } jti)
        {
            using var found = await _server.Admin.GetAsync($"/events/{jti}");
            Assert.Equal(HttpStatusCode.NotFound, found.StatusCode);
        }

        var polled = await SsfTestServer.PollAsync(_server.Admin, _outboundId, new { returnImmediately = true });
        Assert.Empty(polled["sets"]!.AsObject());
    }

    private static string? ClaimOf(string token, string claim)
    {
        try
        {
            using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]));
            return payload.RootElement.TryGetProperty(claim, out var value) ? value.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private async Task<HttpResponseMessage> PushAsync(string token, string? credential = null, bool omitCredential = false)
    {
        using var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{_streamId}") { Content = SetContent(token) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!omitCredential)
        {
            request.Headers.TryAddWithoutValidation("Authorization", credential ?? _credential);
        }

        return await client.SendAsync(request);
    }

    private static StringContent SetContent(string token)
    {
        var content = new StringContent(token, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        return content;
    }
}
