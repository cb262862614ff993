using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Retention;

/// <summary>
/// Retention of retired issuer keys: published while a SET they signed may still be pushed (the
/// retry window) or replayed (the retention period), and no longer after.
/// </summary>
public sealed class KeyRetentionTests
{
    [Fact]
    public async Task RetiredKey_StaysPublishedThroughRetriesAndRetention_ThenGoes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = new SsfTestServer(time: clock);
        var retired = await ActiveKidAsync(server);
        using (var rotated = await server.Admin.PostAsJsonAsync("/admin/keys/rotate", new { now = true }))
        {
            rotated.EnsureSuccessStatusCode();
        }

        var active = await ActiveKidAsync(server);

        // Seven days of retention plus a day of push retries, less an hour: still needed.
        // Kept: a sweep that keeps the key shows nothing, so a moment lets the one this starts run first.
        clock.Advance(TimeSpan.FromDays(8) - TimeSpan.FromHours(1));
        await Task.Delay(500);
        Assert.Equal([active, retired], await PublishedKidsAsync(server));

        // An hour and a bit later the hourly sweep lets it go; the active key stays.
        clock.Advance(TimeSpan.FromHours(1.5));
        await Eventually.TrueAsync(async () => (await PublishedKidsAsync(server)).Count == 1, "the sweep to drop the retired key");

        Assert.Equal([active], await PublishedKidsAsync(server));
        Assert.Equal(active, await ActiveKidAsync(server));
    }

    private static async Task<string> ActiveKidAsync(SsfTestServer server)
    {
        var keys = await server.Admin.GetFromJsonAsync<JsonArray>("/admin/keys");
        return (string)keys!.Single(k => (string?)k!["state"] == "active")!["kid"]!;
    }

    private static async Task<List<string>> PublishedKidsAsync(SsfTestServer server)
    {
        var jwks = await server.Admin.GetFromJsonAsync<JsonObject>("/jwks.json");
        return jwks!["keys"]!.AsArray().Where(k => (string?)k!["use"] == "sig").Select(k => (string)k!["kid"]!).ToList();
    }
}
