using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The stream store contract on a real PostgreSQL database.</summary>
public sealed class PostgresStreamStoreTests : StreamStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task WithinLimit_OnTwoNodesAtOnce_NeverPassesTheLimit()
    {
        await using var otherNode = _database.Open();
        ISharpSignalsStore[] nodes = [Store, otherNode];

        var created = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => nodes[i % 2].CreateStreamWithinLimitAsync(Stream($"s{i}"), 5, CancellationToken.None).AsTask())));
        var streamId = $"s{Array.IndexOf(created, true)}";
        var added = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => nodes[i % 2].AddSubjectWithinLimitAsync(streamId, Subject($"k{i}"), 5, CancellationToken.None).AsTask())));

        Assert.Equal(5, created.Count(c => c));
        Assert.Equal(5, (await Store.ListStreamsAsync(null, "c1", CancellationToken.None)).Count);
        Assert.Equal(5, added.Count(a => a));
    }
}
