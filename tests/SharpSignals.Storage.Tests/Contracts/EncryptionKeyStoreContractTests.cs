using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// Each tenant's encryption keys, as every provider must keep them:
/// <list type="bullet">
/// <item>A tenant has at most one key of each type; adding a type it already has adds nothing and keeps
/// the stored key, also when two nodes add at once (the first wins, both then read the same key).</item>
/// <item>Tenants are apart: a key of one is never listed for another (the default tenant is the empty string).</item>
/// <item>Keys are listed oldest first and survive a restart.</item>
/// </list>
/// </summary>
public abstract class EncryptionKeyStoreContractTests : StoreContractBase
{
    [Fact]
    public async Task AddEncryptionKeysAsync_NewTenant_StoresEachKeyType()
    {
        var before = await Store.ListEncryptionKeysAsync("", CancellationToken.None);

        var added = await Store.AddEncryptionKeysAsync([Key("", "rsa1", "RSA", T0), Key("", "ec1", "EC", T0.AddMilliseconds(1))], CancellationToken.None);
        await ReopenAsync();

        Assert.Empty(before);
        Assert.Equal(2, added);
        Assert.Equal([Key("", "rsa1", "RSA", T0), Key("", "ec1", "EC", T0.AddMilliseconds(1))], await Store.ListEncryptionKeysAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task AddEncryptionKeysAsync_TypeTheTenantHas_AddsNothingAndKeepsTheStoredKey()
    {
        await Store.AddEncryptionKeysAsync([Key("", "rsa1", "RSA", T0)], CancellationToken.None);

        var added = await Store.AddEncryptionKeysAsync([Key("", "rsa2", "RSA", T0.AddSeconds(1)), Key("", "ec1", "EC", T0.AddSeconds(1))], CancellationToken.None);

        Assert.Equal(1, added);
        Assert.Equal(["rsa1", "ec1"], (await Store.ListEncryptionKeysAsync("", CancellationToken.None)).Select(k => k.KeyId));
    }

    [Fact]
    public async Task AddEncryptionKeysAsync_ConcurrentAdds_LeaveOneKeyOfEachType()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Store.AddEncryptionKeysAsync([Key("", $"rsa{i}", "RSA", T0), Key("", $"ec{i}", "EC", T0)], CancellationToken.None).AsTask()));

        var keys = await Store.ListEncryptionKeysAsync("", CancellationToken.None);

        Assert.Equal(["EC", "RSA"], keys.Select(k => k.KeyType).Order());
    }

    [Fact]
    public async Task ListEncryptionKeysAsync_ListsOnlyTheTenantsOwnKeys()
    {
        await Store.AddEncryptionKeysAsync([Key("", "default-rsa", "RSA", T0), Key("acme", "acme-rsa", "RSA", T0)], CancellationToken.None);

        Assert.Equal(["default-rsa"], (await Store.ListEncryptionKeysAsync("", CancellationToken.None)).Select(k => k.KeyId));
        Assert.Equal(["acme-rsa"], (await Store.ListEncryptionKeysAsync("acme", CancellationToken.None)).Select(k => k.KeyId));
        Assert.Empty(await Store.ListEncryptionKeysAsync("other", CancellationToken.None));
    }

    private static EncryptionKeyRecord Key(string tenant, string kid, string type, DateTimeOffset createdAt) =>
        new(tenant, kid, type, "protected-" + kid, createdAt);
}
