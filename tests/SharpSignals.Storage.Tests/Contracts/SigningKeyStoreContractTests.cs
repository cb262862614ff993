using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// The issuer's signing keys, as every provider must keep them:
/// <list type="bullet">
/// <item>Once a key was rotated in, exactly one key is active (<c>retired_at</c> null), also under concurrent rotations.</item>
/// <item>Rotation inserts the new key and retires every other active key at the new key's <c>CreatedAt</c>, in one
/// transaction: a rotation that fails (a <c>kid</c> already stored) leaves the previous key active. A key
/// whose retirement lay after that time (it was to sign until a key published ahead started) retires then too.</item>
/// <item>The key given to a rotation must have <c>RetiredAt</c> null; otherwise it fails with an <see cref="ArgumentException"/>.</item>
/// <item>Keys are listed oldest first (equal creation times by <c>kid</c>).</item>
/// <item>Clean-up deletes keys retired strictly before the cutoff and never the active key.</item>
/// </list>
/// </summary>
public abstract class SigningKeyStoreContractTests : StoreContractBase
{
    [Fact]
    public async Task RotateSigningKeyAsync_FirstKey_IsTheOnlyKeyAndActive()
    {
        var before = await Store.ListSigningKeysAsync("", CancellationToken.None);

        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);

        Assert.Empty(before);
        Assert.Equal([Key("k1", T0)], await Store.ListSigningKeysAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task RotateSigningKeyAsync_RetiresThePreviousKeyAtTheNewKeysCreation()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(30)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k3", T0.AddDays(60)), CancellationToken.None);

        var keys = await Store.ListSigningKeysAsync("", CancellationToken.None);

        Assert.Equal(
            [
                Key("k1", T0) with { RetiredAt = T0.AddDays(30) },
                Key("k2", T0.AddDays(30)) with { RetiredAt = T0.AddDays(60) },
                Key("k3", T0.AddDays(60)),
            ],
            keys);
    }

    [Fact]
    public async Task RotateSigningKeyAsync_BeforeAScheduledKeyStarts_RetiresItAndTheKeyItWasToReplaceThen()
    {
        // k2 is published an hour ahead of signing; k3 replaces it at once (k1 was compromised).
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddHours(2)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k3", T0.AddHours(1)), CancellationToken.None);

        var keys = await Store.ListSigningKeysAsync("", CancellationToken.None);

        Assert.Equal(
            [
                Key("k1", T0) with { RetiredAt = T0.AddHours(1) },
                Key("k3", T0.AddHours(1)),
                Key("k2", T0.AddHours(2)) with { RetiredAt = T0.AddHours(1) },
            ],
            keys);
    }

    [Fact]
    public async Task ListSigningKeysAsync_ComesOldestFirst()
    {
        // Rotated in out of creation order, with one tie, so neither insertion nor kid order alone passes.
        await Store.RotateSigningKeyAsync(Key("c", T0.AddDays(2)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("b", T0.AddDays(1)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("d", T0.AddDays(1)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("a", T0.AddDays(3)), CancellationToken.None);

        var keys = await Store.ListSigningKeysAsync("", CancellationToken.None);

        Assert.Equal(["b", "d", "c", "a"], keys.Select(k => k.KeyId));
        Assert.Equal("a", Assert.Single(keys, k => k.RetiredAt is null).KeyId);
    }

    [Fact]
    public async Task RotateSigningKeyAsync_ConcurrentRotations_LeaveExactlyOneActiveKey()
    {
        await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => Store.RotateSigningKeyAsync(Key($"k{i:D2}", T0.AddMinutes(i)), CancellationToken.None).AsTask()));

        var keys = await Store.ListSigningKeysAsync("", CancellationToken.None);

        Assert.Equal(40, keys.Count);
        Assert.Single(keys, k => k.RetiredAt is null);
    }

    [Fact]
    public async Task RotateSigningKeyAsync_KeyIdAlreadyStored_FailsAndKeepsTheActiveKey()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(1)), CancellationToken.None);
        var before = await Store.ListSigningKeysAsync("", CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.RotateSigningKeyAsync(Key("k1", T0.AddDays(2)), CancellationToken.None).AsTask());

        Assert.Equal(before, await Store.ListSigningKeysAsync("", CancellationToken.None));
        Assert.Null(before[1].RetiredAt);
    }

    [Fact]
    public async Task RotateSigningKeyAsync_RetiredKeyGiven_FailsAndChangesNothing()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(1)) with { RetiredAt = T0.AddDays(2) }, CancellationToken.None).AsTask());

        Assert.Equal([Key("k1", T0)], await Store.ListSigningKeysAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteSigningKeysRetiredBeforeAsync_DeletesOnlyKeysRetiredBeforeTheCutoff()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(1)), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k3", T0.AddDays(2)), CancellationToken.None);

        // k1 retired at T0+1d, k2 exactly at the cutoff T0+2d: only k1 is before it.
        var deleted = await Store.DeleteSigningKeysRetiredBeforeAsync(T0.AddDays(2), CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(["k2", "k3"], (await Store.ListSigningKeysAsync("", CancellationToken.None)).Select(k => k.KeyId));
    }

    [Fact]
    public async Task DeleteSigningKeysRetiredBeforeAsync_NeverDeletesTheActiveKey()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(1)), CancellationToken.None);

        var deleted = await Store.DeleteSigningKeysRetiredBeforeAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var again = await Store.DeleteSigningKeysRetiredBeforeAsync(DateTimeOffset.MaxValue, CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(0, again);
        Assert.Equal([Key("k2", T0.AddDays(1))], await Store.ListSigningKeysAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task Reopen_KeepsEveryKeyAndTheActiveOne()
    {
        await Store.RotateSigningKeyAsync(Key("k1", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k2", T0.AddDays(1)), CancellationToken.None);
        var before = await Store.ListSigningKeysAsync("", CancellationToken.None);

        await ReopenAsync();
        var reopened = await Store.ListSigningKeysAsync("", CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("k3", T0.AddDays(2)), CancellationToken.None);

        Assert.Equal(before, reopened);
        Assert.Equal(
            [
                Key("k1", T0) with { RetiredAt = T0.AddDays(1) },
                Key("k2", T0.AddDays(1)) with { RetiredAt = T0.AddDays(2) },
                Key("k3", T0.AddDays(2)),
            ],
            await Store.ListSigningKeysAsync("", CancellationToken.None));
    }

    protected static SigningKeyRecord Key(string kid, DateTimeOffset created) =>
        new(kid, "ES256", $"protected-private-jwk-{kid}", created);
}
