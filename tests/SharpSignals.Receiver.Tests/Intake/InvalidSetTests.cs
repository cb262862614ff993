using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.Tests.Intake;

/// <summary>
/// RFC 8935 §2.3–2.4 at the push endpoint, with SETs a real SharpSignals server signed (or a stranger
/// did): each defect gets 400 with its <c>err</c> code and <c>Content-Language</c>, and no handler runs.
/// </summary>
public sealed class InvalidSetTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _state = new();
    private SsfTestServer _server = null!;
    private ReceiverApp _app = null!;
    private HttpClient _push = null!;

    public async Task InitializeAsync()
    {
        _server = LocalTransmitter.Start();
        _app = await ReceiverApp.JoinAsync(_server, _state.Path, ReceiverDeliveryMethod.Push, "session-revoked");
        _push = new HttpClient();
        _push.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", _app.PushAuthorization);
    }

    [Fact]
    public async Task Push_NotAJwt_InvalidRequest() =>
        await AssertRefusedAsync("not-a-set", SetErrorCodes.InvalidRequest);

    [Fact]
    public async Task Push_WrongContentType_InvalidRequest()
    {
        using var response = await _push.PostAsync(_app.Url + "/ssf/events", new StringContent("x.y.z", Encoding.UTF8, "application/json"));
        await AssertErrorAsync(response, SetErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Push_WithoutTheStreamsCredential_Unauthorized()
    {
        using var anonymous = new HttpClient();
        using var response = await anonymous.PostAsync(_app.Url + "/ssf/events", SetContent("x.y.z"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Push_SignedByAKeyTheTransmitterDoesNotPublish_RetriedUntilTheKeysAreFetchedAgainThenInvalidKey()
    {
        // The receiver's clock is the test's, so that the JWKS refresh interval passes when told.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.StartAsync(
            state.Path,
            o =>
            {
                o.Issuer = _server.Issuer;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(_server);
                o.Delivery = ReceiverDeliveryMethod.Push;
                o.Events = ["session-revoked"];
            },
            build: b => b.Services.AddSingleton<TimeProvider>(clock));
        await app.WaitVerifiedAsync();
        var stream = await _server.Admin.GetFromJsonAsync<JsonElement>($"/ssf/streams?stream_id={app.Status.StreamId}");
        var stranger = new SetSigner(SetSigningKey.Generate()).Sign(new SecurityEventToken
        {
            Issuer = _server.Issuer,
            Audience = [stream.GetProperty("aud").GetString()!],
            IssuedAt = DateTimeOffset.UtcNow,
            Jti = SetIds.NewJti(),
            Subject = new EmailSubject("alice@example.com"),
            Events = [new SessionRevoked()],
        });
        using var push = new HttpClient();
        push.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", app.PushAuthorization);

        // The keys were fetched a moment ago: the transmitter may just have rotated, so come back later.
        using (var early = await push.PostAsync(app.Url + "/ssf/events", SetContent(stranger)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.NotNull(early.Headers.RetryAfter);
        }

        clock.Advance(TimeSpan.FromSeconds(30));
        using var later = await push.PostAsync(app.Url + "/ssf/events", SetContent(stranger));
        await AssertErrorAsync(later, SetErrorCodes.InvalidKey);
        Assert.Empty(app.Recorded.Typed);
    }

    [Fact]
    public async Task Push_SetOlderThanMaxSetAgeSeconds_InvalidRequestAndDeadLettered()
    {
        // A transmitter of its own, so that the receiver of the other tests gets nothing from it; the
        // receiver's clock runs two hours ahead of it (its timers still fire), so every SET it gets is that old.
        await using var server = LocalTransmitter.Start();
        var clock = new AheadClock(TimeSpan.FromHours(2));
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.StartAsync(
            state.Path,
            o =>
            {
                o.Issuer = server.Issuer;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
                o.Delivery = ReceiverDeliveryMethod.Push;
                o.Events = ["session-revoked"];
                o.MaxSetAgeSeconds = 3600;
            },
            build: b => b.Services.AddSingleton<TimeProvider>(clock));

        // The first SET it gets is the verification it asks for (SSF 1.0 §8.1.4), two hours old by its clock.
        await Eventually.TrueAsync(
            async () => app.Status.StreamId is { } streamId
                && (await LocalTransmitter.DeadLettersAsync(server, streamId)).Any(d => d.Error?.Contains(SetErrorCodes.InvalidRequest, StringComparison.Ordinal) == true
                    && d.Error.Contains("older than 3600 s", StringComparison.Ordinal)),
            "the SET refused as too old");
        Assert.Empty(app.Recorded.Typed);
    }

    [Fact]
    public async Task Push_TransmitterSignedButTampered_AuthenticationFailed()
    {
        var token = await StoredTokenAsync(EventTypes.Risc.AccountDisabled);
        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))).Replace("alice@", "mallory@", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        await AssertRefusedAsync(tampered, SetErrorCodes.AuthenticationFailed);
    }

    [Fact]
    public async Task Push_TransmitterSignedForAnotherAudience_InvalidAudience() =>
        await AssertRefusedAsync(await StoredTokenAsync(EventTypes.Risc.AccountDisabled), SetErrorCodes.InvalidAudience);

    [Fact]
    public async Task Push_EventTypeTheStreamDoesNotDeliver_AccessDenied()
    {
        // A second stream of the server, addressed to this receiver's aud but carrying account-disabled.
        var other = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            aud = await StreamAudienceAsync(),
            events_requested = new[] { EventTypes.Risc.AccountDisabled },
        });
        var otherId = other["stream_id"]!.GetValue<string>();
        await SsfTestServer.PublishAsync(_server.Admin, EventSamples.Publish(EventTypes.Risc.AccountDisabled));
        string? token = null;
        await Eventually.TrueAsync(async () =>
        {
            var answer = await SsfTestServer.PollAsync(_server.Admin, otherId, new { returnImmediately = true });
            token = answer["sets"]!.AsObject().Select(s => s.Value!.GetValue<string>()).FirstOrDefault(t => !IsVerification(t));
            return token is not null;
        }, "the other stream's SET");

        await AssertRefusedAsync(token!, SetErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task Verify_StateThisReceiverDidNotAskFor_InvalidStateAndDeadLettered()
    {
        var streamId = _app.Status.StreamId!;
        using (var response = await _server.Admin.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "not-the-receivers" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // SSF 1.0 §8.1.4.2: the receiver answered 400 invalid_state, which the server keeps as a dead letter.
        await Eventually.TrueAsync(async () => (await LocalTransmitter.DeadLettersAsync(_server, streamId)).Any(d => d.Error?.Contains(SetErrorCodes.InvalidState, StringComparison.Ordinal) == true), "the refused verification");
    }

    public async Task DisposeAsync()
    {
        // Nothing refused reached a handler.
        Assert.Empty(_app.Recorded.Typed);
        _push.Dispose();
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        _state.Dispose();
    }

    private async Task AssertRefusedAsync(string token, string code)
    {
        using var response = await _push.PostAsync(_app.Url + "/ssf/events", SetContent(token));
        await AssertErrorAsync(response, code);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("en", response.Content.Headers.ContentLanguage);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, body.GetProperty("err").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("description").GetString()));
    }

    /// <summary>The system clock, a fixed time ahead.</summary>
    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }

    private static StringContent SetContent(string token)
    {
        var content = new StringContent(token);
        content.Headers.ContentType = new MediaTypeHeaderValue(SetMediaTypes.ContentType);
        return content;
    }

    private async Task<IReadOnlyList<string>> StreamAudienceAsync()
    {
        var stream = await _server.Admin.GetFromJsonAsync<JsonElement>($"/ssf/streams?stream_id={_app.Status.StreamId}");
        var aud = stream.GetProperty("aud");
        return aud.ValueKind == JsonValueKind.String ? [aud.GetString()!] : [.. aud.EnumerateArray().Select(a => a.GetString()!)];
    }

    /// <summary>An event as the server stored it when published: signed by the server, with no stream's aud, of a type this receiver's stream does not carry.</summary>
    private async Task<string> StoredTokenAsync(string eventType)
    {
        var jti = await SsfTestServer.PublishAsync(_server.Admin, EventSamples.Publish(eventType, "{}"));
        var stored = await _server.Admin.GetFromJsonAsync<JsonElement>($"/events/{jti}");
        return stored.GetProperty("token").GetString()!;
    }

    private static bool IsVerification(string token) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1]))).Contains(EventTypes.Ssf.Verification, StringComparison.Ordinal);

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}
