using SharpSignals.Storage.Postgres;
using SharpSignals.Storage.Topics;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The topic messages two nodes share (<see cref="ITopicLog"/>), on a real PostgreSQL database.</summary>
public sealed class PostgresTopicLogTests : IAsyncLifetime
{
    private static readonly TopicRetention Minutes = new(TimeSpan.FromMinutes(5), 1000);

    private readonly PostgresTestDatabase _database = new();
    private PostgresStore _nodeA = null!;
    private PostgresStore _nodeB = null!;

    public async Task InitializeAsync()
    {
        _nodeA = _database.Open();
        _nodeB = _database.Open();
        Assert.True(await _nodeA.IsHealthyAsync(CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task AppendTopicMessageAsync_FromTwoNodes_GivesEachTopicItsOwnConsecutiveIds()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? _nodeA : _nodeB).AppendTopicMessageAsync(i % 4 < 2 ? "news" : "alerts", $"m{i}", id => $"frame {id}", Minutes, CancellationToken.None).AsTask()));

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), appended.Where(m => m.Topic == "news").Select(m => m.Id).Order());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), appended.Where(m => m.Topic == "alerts").Select(m => m.Id).Order());
        Assert.All(appended, m => Assert.Equal($"frame {m.Id}", m.Frame));
        var lastIds = await _nodeB.LastTopicIdsAsync(["news", "alerts", "quiet"], CancellationToken.None);
        Assert.Equal(new Dictionary<string, long> { ["news"] = 10, ["alerts"] = 10 }, lastIds);
    }

    [Fact]
    public async Task ReadTopicMessagesAsync_OnTheOtherNode_ReturnsThoseAfterAnIdInOrder()
    {
        for (var i = 1; i <= 5; i++)
        {
            await _nodeA.AppendTopicMessageAsync("news", $"m{i}", id => $"frame {id}", Minutes, CancellationToken.None);
        }

        var after2 = await _nodeB.ReadTopicMessagesAsync("news", 2, null, Minutes, CancellationToken.None);
        var between = await _nodeB.ReadTopicMessagesAsync("news", 1, 3, Minutes, CancellationToken.None);

        Assert.Equal(["m3", "m4", "m5"], after2.Select(m => m.Message));
        Assert.Equal([2L, 3L], between.Select(m => m.Id));
        Assert.Empty(await _nodeB.ReadTopicMessagesAsync("other", 0, null, Minutes, CancellationToken.None));
    }

    [Fact]
    public async Task Retention_KeepsOnlyTheNewestAndTheRecent()
    {
        var fewest = new TopicRetention(TimeSpan.FromMinutes(5), 2);
        for (var i = 1; i <= 5; i++)
        {
            await _nodeA.AppendTopicMessageAsync("news", $"m{i}", id => $"frame {id}", fewest, CancellationToken.None);
        }

        var kept = await _nodeB.ReadTopicMessagesAsync("news", 0, null, Minutes, CancellationToken.None);
        var recent = new TopicRetention(TimeSpan.FromMilliseconds(100), 1000);
        await Eventually.TrueAsync(async () => (await _nodeB.ReadTopicMessagesAsync("news", 0, null, recent, CancellationToken.None)).Count == 0, "the messages to be older than 100 ms");
        var purged = await _nodeB.PurgeTopicMessagesAsync(recent, CancellationToken.None);

        Assert.Equal([4L, 5L], kept.Select(m => m.Id));
        Assert.Equal(2, purged);
        Assert.Empty(await _nodeB.ReadTopicMessagesAsync("news", 0, null, Minutes, CancellationToken.None));
        Assert.Empty(await _nodeA.ReadTopicMessagesAsync("news", 0, null, new TopicRetention(TimeSpan.FromMinutes(5), 0), CancellationToken.None));
    }
}
