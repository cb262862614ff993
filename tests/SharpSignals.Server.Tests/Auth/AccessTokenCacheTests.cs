using SharpSignals.Server.Auth;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Sqlite;

namespace SharpSignals.Server.Tests.Auth;

/// <summary>The access-token cache over a real SQLite store; the store is changed behind the cache's back to see what it serves.</summary>
public sealed class AccessTokenCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory _data = new();
    private readonly FakeTimeProvider _time = new(Start);
    private SqliteStore _store = null!;
    private AccessTokenCache _cache = null!;

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = _data.File("cache.db") });
        _cache = new AccessTokenCache(_store, _time);
        await _store.CreateClientAsync(new ClientRecord("c1", "p1", "client", "secret-hash", "event.publish", Start), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task FindAsync_WithinTheLifetime_ServesTheTokenReadBefore()
    {
        await StoreTokenAsync("h1");
        Assert.NotNull(await _cache.FindAsync("h1", CancellationToken.None));

        // Gone from the store without telling the cache: still served until the lifetime has passed.
        await _store.RevokeClientAsync("c1", Start, CancellationToken.None);
        _time.Advance(AccessTokenCache.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await _cache.FindAsync("h1", CancellationToken.None));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await _cache.FindAsync("h1", CancellationToken.None));
    }

    [Fact]
    public async Task Invalidate_AfterARevocation_TheTokenIsReadAgainAndRefused()
    {
        await StoreTokenAsync("h1");
        Assert.NotNull(await _cache.FindAsync("h1", CancellationToken.None));

        await _store.RevokeClientAsync("c1", Start, CancellationToken.None);
        _cache.Invalidate();

        Assert.Null(await _cache.FindAsync("h1", CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_AnUnknownToken_IsNotRemembered()
    {
        Assert.Null(await _cache.FindAsync("h1", CancellationToken.None));

        await StoreTokenAsync("h1");

        Assert.NotNull(await _cache.FindAsync("h1", CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_ACachedToken_KeepsItsExpiry()
    {
        await StoreTokenAsync("h1");

        var first = await _cache.FindAsync("h1", CancellationToken.None);
        var again = await _cache.FindAsync("h1", CancellationToken.None);

        Assert.Equal(Start + TimeSpan.FromHours(1), first!.ExpiresAt);
        Assert.Equal(first, again);
    }

    private Task StoreTokenAsync(string hash) =>
        _store.StoreAccessTokenAsync(new AccessTokenRecord(hash, "c1", "p1", "event.publish", Start + TimeSpan.FromHours(1)), CancellationToken.None).AsTask();
}
