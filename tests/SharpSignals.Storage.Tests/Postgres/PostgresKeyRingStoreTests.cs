using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The key ring contract on a real PostgreSQL database, whose nodes all read one ring.</summary>
public sealed class PostgresKeyRingStoreTests : KeyRingStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    protected override bool KeepsKeyRing => true;

    [Fact]
    public async Task DataProtectionKeys_AreSharedByEveryNode()
    {
        await using var nodeB = _database.Open();
        Store.AddDataProtectionKey("key-1", "<key id=\"1\"/>");
        nodeB.AddDataProtectionKey("key-2", "<key id=\"2\"/>");

        Assert.Equal(["<key id=\"1\"/>", "<key id=\"2\"/>"], nodeB.ListDataProtectionKeys());
        Assert.Equal(nodeB.ListDataProtectionKeys(), Store.ListDataProtectionKeys());
    }
}
