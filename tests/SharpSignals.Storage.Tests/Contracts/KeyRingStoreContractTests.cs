using SharpSignals.Storage.Cluster;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// The <see cref="IKeyRingStore"/> contract on every provider: a store the nodes share keeps the
/// Data Protection key ring, oldest first and across a restart; the embedded store keeps none and
/// says so, refusing both reads and writes.
/// </summary>
public abstract class KeyRingStoreContractTests : StoreContractBase
{
    /// <summary>Whether the provider keeps the key ring.</summary>
    protected abstract bool KeepsKeyRing { get; }

    [Fact]
    public void KeepsKeyRing_IsWhatTheProviderPromises() => Assert.Equal(KeepsKeyRing, Store.KeepsKeyRing);

    [Fact]
    public async Task DataProtectionKeys_AreKeptOldestFirstAcrossARestart_OrRefused()
    {
        if (!KeepsKeyRing)
        {
            Assert.Throws<NotSupportedException>(() => Store.AddDataProtectionKey("key-1", "<key id=\"1\"/>"));
            Assert.Throws<NotSupportedException>(() => Store.ListDataProtectionKeys());
            return;
        }

        Store.AddDataProtectionKey("key-1", "<key id=\"1\"/>");
        Store.AddDataProtectionKey("key-2", "<key id=\"2\"/>");
        await ReopenAsync();

        Assert.Equal(["<key id=\"1\"/>", "<key id=\"2\"/>"], Store.ListDataProtectionKeys());
    }
}
