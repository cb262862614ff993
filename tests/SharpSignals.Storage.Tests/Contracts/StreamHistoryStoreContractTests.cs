using SharpSignals.Storage.History;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>The <see cref="IStreamHistoryStore"/> contract on every provider: the console's per-minute delivery history.</summary>
public abstract class StreamHistoryStoreContractTests : StoreContractBase
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Read_AddsEveryNodesMinutes_CountsSummedSamplesTheLargest()
    {
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 3, 1, 10, 2.5), new StreamHistoryRow("s2", T0, 1, 0, null, null));
        await WriteAsync("node-b", new StreamHistoryRow("s1", T0, 2, 4, 12, 1.5), new StreamHistoryRow("s1", T0 + Minute, 7, 0, 0, 0));

        var rows = await Store.ReadStreamHistoryAsync(T0, Minute, CancellationToken.None);

        Assert.Equal(
            [new("s1", T0, 5, 5, 12, 2.5), new("s1", T0 + Minute, 7, 0, 0, 0), new StreamHistoryRow("s2", T0, 1, 0, null, null)],
            rows);
    }

    [Fact]
    public async Task Write_SameNodeAndMinuteAgain_AddsTheCounts_AndASampleReplacesTheKeptOne()
    {
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 3, 1, 10, 2.5));
        await ReopenAsync();
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 2, 0, null, null));
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 0, 1, 4, 0.5));

        var row = Assert.Single(await Store.ReadStreamHistoryAsync(T0, Minute, CancellationToken.None));

        Assert.Equal(new StreamHistoryRow("s1", T0, 5, 2, 4, 0.5), row);
    }

    [Fact]
    public async Task Read_ByQuarterHour_AddsTheMinutesOfEachQuarter()
    {
        var quarter = T0; // T0 is on a whole quarter hour (and day).
        await WriteAsync(
            "node-a",
            new StreamHistoryRow("s1", quarter, 1, 0, 5, 1),
            new StreamHistoryRow("s1", quarter + TimeSpan.FromMinutes(14), 2, 1, 9, 4),
            new StreamHistoryRow("s1", quarter + Quarter, 4, 0, null, null));
        await WriteAsync("node-b", new StreamHistoryRow("s1", quarter + TimeSpan.FromMinutes(3), 10, 0, 1, 0));

        var rows = await Store.ReadStreamHistoryAsync(quarter, Quarter, CancellationToken.None);

        Assert.Equal([new("s1", quarter, 13, 1, 9, 4), new StreamHistoryRow("s1", quarter + Quarter, 4, 0, null, null)], rows);
    }

    [Fact]
    public async Task Read_StartsAtFrom()
    {
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 1, 0, null, null), new StreamHistoryRow("s1", T0 + Minute, 2, 0, null, null));

        var rows = await Store.ReadStreamHistoryAsync(T0 + Minute, Minute, CancellationToken.None);

        Assert.Equal([new StreamHistoryRow("s1", T0 + Minute, 2, 0, null, null)], rows);
    }

    [Fact]
    public async Task Write_DeletesRowsBeforeKeepFrom_AndEveryRowOfADroppedStream()
    {
        await WriteAsync("node-a", new StreamHistoryRow("s1", T0, 1, 0, null, null), new StreamHistoryRow("s1", T0 + Minute, 2, 0, null, null), new StreamHistoryRow("gone", T0 + Minute, 2, 0, null, null));
        await WriteAsync("node-b", new StreamHistoryRow("gone", T0 + Minute, 3, 0, null, null));

        await Store.WriteStreamHistoryAsync("node-a", [], ["gone"], T0 + Minute, CancellationToken.None);

        Assert.Equal([new StreamHistoryRow("s1", T0 + Minute, 2, 0, null, null)], await Store.ReadStreamHistoryAsync(T0 - Minute, Minute, CancellationToken.None));
    }

    [Fact]
    public async Task Write_ManyStreamsInOneWrite()
    {
        var minutes = Enumerable.Range(0, 2_000).Select(i => new StreamHistoryRow($"s{i:D4}", T0, i, 1, i, i / 2.0)).ToList();

        await Store.WriteStreamHistoryAsync("node-a", minutes, [], T0, CancellationToken.None);

        Assert.Equal(minutes, await Store.ReadStreamHistoryAsync(T0, Minute, CancellationToken.None));
    }

    private async Task WriteAsync(string nodeId, params StreamHistoryRow[] minutes) =>
        await Store.WriteStreamHistoryAsync(nodeId, minutes, [], T0 - TimeSpan.FromDays(1), CancellationToken.None);
}
