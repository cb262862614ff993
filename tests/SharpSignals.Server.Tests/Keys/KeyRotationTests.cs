using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Server.Tests.Keys;

/// <summary>
/// This server's own key rotation: the new key is in <c>/jwks.json</c> for the lead time before it
/// signs, so receivers holding a cached JWKS never meet an unknown kid; then it signs on its own, with
/// no restart; an immediate rotation (a compromised key) signs at once.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private string _streamId = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(time: _time);
        // The admin token polls: a client's access token would expire as the clock moves on by hours.
        _streamId = (string)(await SsfTestServer.CreateStreamAsync(_server.Admin, new { }))["stream_id"]!;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task RotateKey_PublishesTheNewKeyFirstAndSignsWithItOnlyAfterTheLeadTime()
    {
        var old = await SignedKidAsync("before@example.com");

        var next = await RotateAsync(new { });

        Assert.Equal("next", (string?)next["state"]);
        Assert.Equal(_time.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), (long)next["signs_from"]!);
        var newKid = (string)next["kid"]!;
        Assert.Equal([old, newKid], await PublishedKidsAsync());
        Assert.Equal([("active", old), ("next", newKid)], await AdminKeysAsync());
        Assert.Equal(old, await SignedKidAsync("during@example.com"));

        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(old, await SignedKidAsync("still@example.com"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(newKid, await SignedKidAsync("after@example.com"));
        Assert.Equal([("active", newKid), ("retired", old)], await AdminKeysAsync());
        Assert.Equal([newKid, old], await PublishedKidsAsync());
    }

    [Fact]
    public async Task RotateKeyNow_SignsWithTheNewKeyAtOnceAlsoWhileAnotherIsScheduled()
    {
        var old = await SignedKidAsync("before@example.com");
        var scheduled = (string)(await RotateAsync(new { }))["kid"]!;

        var now = await RotateAsync(new { now = true });

        Assert.Equal("active", (string?)now["state"]);
        var newKid = (string)now["kid"]!;
        Assert.Equal(newKid, await SignedKidAsync("at-once@example.com"));
        Assert.Contains(newKid, await PublishedKidsAsync());

        // The key scheduled before the compromise never signs.
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(newKid, await SignedKidAsync("later@example.com"));
        Assert.DoesNotContain(await AdminKeysAsync(), k => k.Kid == scheduled && k.State != "retired");
        Assert.DoesNotContain(await AdminKeysAsync(), k => k.Kid == old && k.State != "retired");
    }

    private async Task<JsonObject> RotateAsync(object body)
    {
        using var rotated = await _server.Admin.PostAsJsonAsync("/admin/keys/rotate", body);
        rotated.EnsureSuccessStatusCode();
        return (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>
    /// Publishes an event, polls the SET the stream got for it and returns the kid it was signed with,
    /// once it verified against the JWKS published at that moment (on the server's clock).
    /// </summary>
    private async Task<string> SignedKidAsync(string email)
    {
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked(email));
        var sets = (await SsfTestServer.PollAsync(_server.Admin, _streamId, new { returnImmediately = true }))["sets"]!.AsObject();
        var (jti, token) = Assert.Single(sets);
        await SsfTestServer.PollAsync(_server.Admin, _streamId, new { maxEvents = 0, returnImmediately = true, ack = new[] { jti } });
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(await _server.Admin.GetStringAsync(new Uri("/jwks.json", UriKind.Relative))),
            ValidIssuers = [_server.Issuer],
            TimeProvider = _time,
        });
        var result = await validator.ValidateAsync((string)token!, CancellationToken.None);
        Assert.True(result.IsValid, result.Error?.Description);
        return result.KeyId!;
    }

    private async Task<List<string>> PublishedKidsAsync()
    {
        var jwks = await _server.Admin.GetFromJsonAsync<JsonObject>("/jwks.json");
        return [.. jwks!["keys"]!.AsArray().Where(k => (string?)k!["use"] == "sig").Select(k => (string)k!["kid"]!)];
    }

    private async Task<List<(string State, string Kid)>> AdminKeysAsync()
    {
        var keys = await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/keys");
        return [.. keys!.Select(k => ((string)k!["state"]!, (string)k["kid"]!))];
    }
}
