using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.OperatorConsole.History;

/// <summary>
/// The console history across two server nodes on one real PostgreSQL database: each node counts
/// what it did, and either node's charts show both.
/// </summary>
public sealed class ConsoleHistoryClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly string _database = PostgresTestServer.Instance.CreateDatabase();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60) + TimeSpan.FromSeconds(5));
    private SsfTestServer _nodeA = null!;
    private SsfTestServer _nodeB = null!;

    public Task InitializeAsync()
    {
        // One after the other: the first creates the schema and the keys the second then shares.
        _nodeA = SsfTestServer.StartListening(NodeSettings(), _time);
        _nodeB = SsfTestServer.StartListeningBeside(_nodeA, NodeSettings(), _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
        PostgresTestServer.Instance.DropDatabase(_database);
    }

    [Fact]
    public async Task EachNodeAcknowledgesOnePoll_ReadAllOnEitherShowsBoth()
    {
        var minute = _time.GetUtcNow() - TimeSpan.FromSeconds(5);
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_nodeA.Admin, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;
        await SsfTestServer.PublishAsync(_nodeA.Admin, SsfTestServer.SessionRevoked("a@example.com"));
        await SsfTestServer.PublishAsync(_nodeA.Admin, SsfTestServer.SessionRevoked("b@example.com"));
        var sets = (await SsfTestServer.PollAsync(_nodeA.Admin, streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => s.Key).ToArray();
        var (first, second) = (sets[0], sets[1]);

        await SsfTestServer.PollAsync(_nodeA.Admin, streamId, new { returnImmediately = true, ack = new[] { first } });
        await Eventually.TrueAsync(
            async () =>
            {
                using var polled = await _nodeB.Admin.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true, ack = new[] { second } });
                return polled.IsSuccessStatusCode;
            },
            "node B to know the stream and acknowledge the second entry");

        // Each node writes its minute once it has ended and reads the other's back at its next minute.
        IReadOnlyDictionary<string, IReadOnlyList<HistoryPoint>>[] seen = [];
        await Eventually.TrueAsync(
            () =>
            {
                seen = [History(_nodeA).ReadAll(HistoryRange.Hour), History(_nodeB).ReadAll(HistoryRange.Hour)];
                return seen.All(all => all.TryGetValue(streamId, out var points) && points.Single(p => p.Start == minute).Delivered == 2);
            },
            "both nodes to show both acknowledgements",
            seen: () => string.Join(" | ", seen.Select(all => all.TryGetValue(streamId, out var points) ? points.Single(p => p.Start == minute).ToString() : "none")),
            meanwhile: () => _time.Advance(Minute),
            every: TimeSpan.FromMilliseconds(500));

        Assert.All(seen, all => Assert.Equal(0, all[streamId].Single(p => p.Start == minute).Failed));
    }

    private static DeliveryHistory History(SsfTestServer node) => node.Factory.Services.GetRequiredService<DeliveryHistory>();

    private Dictionary<string, string?> NodeSettings() => new()
    {
        ["SharpSignals:Storage"] = "postgres",
        ["ConnectionStrings:Postgres"] = _database,
        ["SharpSignals:Issuer"] = "https://ssf.cluster.test",
    };
}
