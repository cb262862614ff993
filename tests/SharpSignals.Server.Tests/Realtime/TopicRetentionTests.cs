using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>Topics on the embedded store: one nobody follows is forgotten after its window, and ids keep growing when it comes back.</summary>
public sealed class TopicRetentionTests : IAsyncLifetime
{
    private readonly TopicTokens _tokens = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        (_server, _http) = _tokens.StartServer(new Dictionary<string, string?> { ["SharpSignals:Realtime:TopicRetentionSeconds"] = "60" }, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task TopicsNobodyFollows_AreForgottenAfterTheWindow_AndTheirIdsKeepGrowing()
    {
        await using var follower = await WsClient.ConnectAsync(_server.Issuer);
        await follower.CommandAsync($"/subscribe followed {_tokens.Issue("followed", "subscribe")}");
        var firstIds = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            firstIds.Add(await BroadcastAsync($"user:{i}"));
        }

        await BroadcastAsync("followed");
        var held = await TopicsAsync();

        _time.Advance(TimeSpan.FromSeconds(61));
        var again = await BroadcastAsync("user:0");
        var afterSweep = await TopicsAsync();

        Assert.Equal(51, held);
        Assert.Equal(2, afterSweep);
        Assert.True(again > firstIds[0], $"id {again} after {firstIds[0]}");
        Assert.Equal("followed 1", await follower.ReceiveTextAsync());
        await BroadcastAsync("followed", "followed 2");
        Assert.Equal("followed 2", await follower.ReceiveTextAsync());
    }

    private async Task<long> BroadcastAsync(string topic, string? message = null)
    {
        using var response = await _http.PostAsJsonAsync("/broadcast", new { topic, message = message ?? $"{topic} 1", token = _tokens.Issue(topic, "broadcast") });
        response.EnsureSuccessStatusCode();
        return (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private async Task<int> TopicsAsync() => (int)(await _server.Admin.GetFromJsonAsync<JsonObject>("/admin/metrics"))!["realtime_topics"]!;
}
