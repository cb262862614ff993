using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Tests.Intake;

/// <summary>
/// A SET signed with the transmitter's own key whose content cannot be read (a lone surrogate in its
/// <c>sub_id</c>): refused with invalid_request by push and in <c>setErrs</c> by poll, never a 500 or a
/// stuck stream, and the next SET is handled.
/// </summary>
public sealed class PoisonSetTests
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    [Fact]
    public async Task Push_ValidlySignedSetThatCannotBeRead_Is400InvalidRequestAndTheNextIsHandled()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, ReceiverDeliveryMethod.Push, "session-revoked");
        var (_, token) = await PoisonAsync(server, app);

        using var push = new HttpClient();
        push.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", app.PushAuthorization);
        using var content = new StringContent(token);
        content.Headers.ContentType = new MediaTypeHeaderValue(SetMediaTypes.ContentType);
        using var response = await push.PostAsync(app.Url + "/ssf/events", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SetErrorCodes.InvalidRequest, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("err").GetString());
        await SsfTestServer.PublishAsync(server.Admin, SsfTestServer.SessionRevoked());
        await Eventually.TrueAsync(() => app.Recorded.Typed.Count == 1, "the next SET to be handled");
    }

    [Fact]
    public async Task Poll_ValidlySignedSetThatCannotBeRead_IsReturnedInSetErrsAndTheNextIsHandled()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, ReceiverDeliveryMethod.Poll, "session-revoked");
        var streamId = app.Status.StreamId!;
        var (jti, token) = await PoisonAsync(server, app);

        // Queued on the stream as if the server had signed it for delivery.
        var log = server.Factory.Services.GetRequiredService<IEventLog>();
        await log.AppendAsync(
            new NewEvent(server.Issuer, jti, "default", [EventTypes.Caep.SessionRevoked], token, DateTimeOffset.UtcNow),
            [new NewDelivery(streamId, jti, token)],
            CancellationToken.None);
        server.Factory.Services.GetRequiredService<StreamSignals>().Notify(streamId);
        await SsfTestServer.PublishAsync(server.Admin, SsfTestServer.SessionRevoked());

        await Eventually.TrueAsync(async () => (await LocalTransmitter.DeadLettersAsync(server, streamId)).Any(d => d.Jti == jti), "the poison SET in setErrs");
        var refused = Assert.Single(await LocalTransmitter.DeadLettersAsync(server, streamId));
        Assert.Contains(SetErrorCodes.InvalidRequest, refused.Error, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => app.Recorded.Typed.Count == 1, "the next SET to be handled");
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, streamId) == 0, "every SET to be settled");
    }

    /// <summary>A SET for the receiver's stream, signed with the server's active key, with a lone surrogate in its sub_id.</summary>
    private static async Task<(string Jti, string Token)> PoisonAsync(SsfTestServer server, ReceiverApp app)
    {
        var stream = await server.Admin.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={app.Status.StreamId}");
        var jti = SetIds.NewJti();
        var claims = new JsonObject
        {
            ["iss"] = server.Issuer,
            ["aud"] = stream!["aud"]!.DeepClone(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = jti,
            ["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = "MARKER" },
            ["events"] = new JsonObject { [EventTypes.Caep.SessionRevoked] = new JsonObject { ["initiating_entity"] = "admin" } },
        };
        var key = server.Factory.Services.GetRequiredService<IssuerKeyStore>().Ring.Active;
        var token = Handler.CreateToken(
            claims.ToJsonString().Replace("MARKER", "alice\\ud800@example.com", StringComparison.Ordinal),
            new SigningCredentials(key.SecurityKey, key.Algorithm),
            new Dictionary<string, object> { ["typ"] = SetMediaTypes.JoseType });
        return (jti, token);
    }
}
