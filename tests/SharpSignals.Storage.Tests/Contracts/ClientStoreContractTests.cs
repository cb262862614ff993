using SharpSignals.Storage.Clients;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// The admin token hash, initial access tokens, clients and access tokens, as every provider must keep them:
/// <list type="bullet">
/// <item>Setting the admin token hash replaces the previous one.</item>
/// <item>Creating an initial access token, a client or an access token under a hash or id already stored fails with an exception.</item>
/// <item>Clients are listed oldest first (equal creation times by client id), all or one project's.</item>
/// <item>Revoking sets <c>revoked_at</c> and deletes the client's access tokens in one transaction; it returns false for an unknown or already revoked client and then changes nothing.</item>
/// <item>An access token can only be stored for a client that exists and is not revoked; otherwise the call fails with an exception.</item>
/// <item>Registering a client spends a single-use initial access token in the same transaction: of concurrent registrations with one, exactly one stores its client; a reusable token registers any number and stays unused; an unknown token stores nothing.</item>
/// <item>Lookups return tokens whatever their expiry: the caller checks it. The clean-up deletes tokens with <c>expires_at</c> strictly before now.</item>
/// </list>
/// </summary>
public abstract class ClientStoreContractTests : StoreContractBase
{
    [Fact]
    public async Task SetAdminTokenHashAsync_ReplacesTheHash()
    {
        var before = await Store.GetAdminTokenHashAsync(CancellationToken.None);

        await Store.SetAdminTokenHashAsync("hash-1", CancellationToken.None);
        var first = await Store.GetAdminTokenHashAsync(CancellationToken.None);
        await Store.SetAdminTokenHashAsync("hash-2", CancellationToken.None);

        Assert.Null(before);
        Assert.Equal("hash-1", first);
        Assert.Equal("hash-2", await Store.GetAdminTokenHashAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateInitialAccessTokenAsync_IsFoundByHashOnly()
    {
        var token = new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1));

        await Store.CreateInitialAccessTokenAsync(token, CancellationToken.None);

        Assert.Equal(token, await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None));
        Assert.Null(await Store.FindInitialAccessTokenAsync("other-hash", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("iat-hash", CancellationToken.None));
    }

    [Fact]
    public async Task CreateInitialAccessTokenAsync_ExistingHash_FailsAndKeepsTheFirst()
    {
        var token = new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1));
        await Store.CreateInitialAccessTokenAsync(token, CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateInitialAccessTokenAsync(token with { Project = "p2" }, CancellationToken.None).AsTask());

        Assert.Equal(token, await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None));
    }

    [Fact]
    public async Task CreateClientAsync_NewClient_IsStoredWithEveryField()
    {
        var client = Client("c1");
        var revoked = Client("c2") with { RevokedAt = T0.AddHours(2) };

        await Store.CreateClientAsync(client, CancellationToken.None);
        await Store.CreateClientAsync(revoked, CancellationToken.None);

        Assert.Equal(client, await Store.GetClientAsync("c1", CancellationToken.None));
        Assert.Equal(revoked, await Store.GetClientAsync("c2", CancellationToken.None));
        Assert.Null(await Store.GetClientAsync("unknown", CancellationToken.None));
    }

    [Fact]
    public async Task CreateClientAsync_ExistingId_FailsAndKeepsTheFirst()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateClientAsync(Client("c1", "p2") with { SecretHash = "other" }, CancellationToken.None).AsTask());

        Assert.Equal(Client("c1"), await Store.GetClientAsync("c1", CancellationToken.None));
    }

    [Fact]
    public async Task ListClientsAsync_AllOrOneProjects_OldestFirst()
    {
        await Store.CreateClientAsync(Client("d", "p1", T0.AddSeconds(3)), CancellationToken.None);
        await Store.CreateClientAsync(Client("b", "p2", T0.AddSeconds(1)), CancellationToken.None);
        await Store.CreateClientAsync(Client("c", "p1", T0.AddSeconds(2)), CancellationToken.None);
        await Store.CreateClientAsync(Client("a", "p1", T0.AddSeconds(2)), CancellationToken.None);

        Assert.Equal(["b", "a", "c", "d"], (await Store.ListClientsAsync(null, CancellationToken.None)).Select(c => c.ClientId));
        Assert.Equal(["a", "c", "d"], (await Store.ListClientsAsync("p1", CancellationToken.None)).Select(c => c.ClientId));
        Assert.Empty(await Store.ListClientsAsync("p3", CancellationToken.None));
    }

    [Fact]
    public async Task RevokeClientAsync_SetsRevokedAtAndDeletesOnlyThatClientsTokens()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.CreateClientAsync(Client("c2"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t1", "c1"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t2", "c1"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t3", "c2"), CancellationToken.None);

        var revoked = await Store.RevokeClientAsync("c1", T0.AddHours(1), CancellationToken.None);

        Assert.True(revoked);
        Assert.Equal(Client("c1") with { RevokedAt = T0.AddHours(1) }, await Store.GetClientAsync("c1", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("t1", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("t2", CancellationToken.None));
        Assert.Equal(Token("t3", "c2"), await Store.FindAccessTokenAsync("t3", CancellationToken.None));
        Assert.Null((await Store.GetClientAsync("c2", CancellationToken.None))!.RevokedAt);
    }

    [Fact]
    public async Task RevokeClientAsync_UnknownOrAlreadyRevoked_IsFalseAndKeepsTheFirstRevocation()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.RevokeClientAsync("c1", T0.AddHours(1), CancellationToken.None);

        var again = await Store.RevokeClientAsync("c1", T0.AddHours(2), CancellationToken.None);
        var unknown = await Store.RevokeClientAsync("ghost", T0.AddHours(2), CancellationToken.None);

        Assert.False(again);
        Assert.False(unknown);
        Assert.Equal(T0.AddHours(1), (await Store.GetClientAsync("c1", CancellationToken.None))!.RevokedAt);
        Assert.Null(await Store.GetClientAsync("ghost", CancellationToken.None));
    }

    [Fact]
    public async Task StoreAccessTokenAsync_UnknownOrRevokedClient_FailsAndStoresNothing()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.RevokeClientAsync("c1", T0, CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.StoreAccessTokenAsync(Token("t1", "c1"), CancellationToken.None).AsTask());
        await Assert.ThrowsAnyAsync<Exception>(() => Store.StoreAccessTokenAsync(Token("t2", "ghost"), CancellationToken.None).AsTask());

        Assert.Null(await Store.FindAccessTokenAsync("t1", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task StoreAccessTokenAsync_ExistingHash_FailsAndKeepsTheFirst()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.CreateClientAsync(Client("c2"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t1", "c1"), CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.StoreAccessTokenAsync(Token("t1", "c2"), CancellationToken.None).AsTask());

        Assert.Equal(Token("t1", "c1"), await Store.FindAccessTokenAsync("t1", CancellationToken.None));
    }

    [Fact]
    public async Task FindAccessTokenAsync_ExpiredToken_IsStillReturned()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        var expired = Token("t1", "c1") with { ExpiresAt = T0.AddYears(-1) };
        await Store.StoreAccessTokenAsync(expired, CancellationToken.None);

        Assert.Equal(expired, await Store.FindAccessTokenAsync("t1", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteExpiredAccessTokensAsync_DeletesOnlyTokensExpiredBeforeNow()
    {
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("old", "c1") with { ExpiresAt = T0.AddDays(-1) }, CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("just", "c1") with { ExpiresAt = T0.AddMilliseconds(-1) }, CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("now", "c1") with { ExpiresAt = T0 }, CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("live", "c1") with { ExpiresAt = T0.AddHours(1) }, CancellationToken.None);

        var deleted = await Store.DeleteExpiredAccessTokensAsync(T0, CancellationToken.None);
        var again = await Store.DeleteExpiredAccessTokensAsync(T0, CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(0, again);
        Assert.Null(await Store.FindAccessTokenAsync("old", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("just", CancellationToken.None));
        Assert.NotNull(await Store.FindAccessTokenAsync("now", CancellationToken.None));
        Assert.NotNull(await Store.FindAccessTokenAsync("live", CancellationToken.None));
    }

    [Fact]
    public async Task Reopen_KeepsTheAdminHashTokensAndClients()
    {
        var initial = new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1));
        await Store.SetAdminTokenHashAsync("admin-hash", CancellationToken.None);
        await Store.CreateInitialAccessTokenAsync(initial, CancellationToken.None);
        await Store.CreateClientAsync(Client("c1"), CancellationToken.None);
        await Store.CreateClientAsync(Client("c2", created: T0.AddSeconds(1)), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t1", "c1"), CancellationToken.None);
        await Store.StoreAccessTokenAsync(Token("t2", "c2"), CancellationToken.None);
        await Store.RevokeClientAsync("c2", T0.AddHours(1), CancellationToken.None);

        await ReopenAsync();

        Assert.Equal("admin-hash", await Store.GetAdminTokenHashAsync(CancellationToken.None));
        Assert.Equal(initial, await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None));
        Assert.Equal(
            [Client("c1"), Client("c2", created: T0.AddSeconds(1)) with { RevokedAt = T0.AddHours(1) }],
            await Store.ListClientsAsync(null, CancellationToken.None));
        Assert.Equal(Token("t1", "c1"), await Store.FindAccessTokenAsync("t1", CancellationToken.None));
        Assert.Null(await Store.FindAccessTokenAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task CreateInitialAccessTokenAsync_SingleUse_IsKeptUnused()
    {
        var token = new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1)) { SingleUse = true };

        await Store.CreateInitialAccessTokenAsync(token, CancellationToken.None);

        Assert.Equal(token, await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None));
    }

    [Fact]
    public async Task RegisterClientAsync_SingleUseTokenTwiceAtOnce_ExactlyOneClientIsStored()
    {
        await Store.CreateInitialAccessTokenAsync(new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1)) { SingleUse = true }, CancellationToken.None);

        var registered = await Task.WhenAll(
            Task.Run(() => Store.RegisterClientAsync(Client("c1"), "iat-hash", CancellationToken.None).AsTask()),
            Task.Run(() => Store.RegisterClientAsync(Client("c2"), "iat-hash", CancellationToken.None).AsTask()));
        var again = await Store.RegisterClientAsync(Client("c3"), "iat-hash", CancellationToken.None);

        Assert.Single(registered, r => r);
        Assert.False(again);
        Assert.Single(await Store.ListClientsAsync(null, CancellationToken.None));
        Assert.Equal(T0, (await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None))!.UsedAt);
    }

    [Fact]
    public async Task RegisterClientAsync_ReusableToken_RegistersEveryClientAndStaysUnused()
    {
        var token = new InitialAccessTokenRecord("iat-hash", "p1", T0, T0.AddDays(1));
        await Store.CreateInitialAccessTokenAsync(token, CancellationToken.None);

        Assert.True(await Store.RegisterClientAsync(Client("c1"), "iat-hash", CancellationToken.None));
        Assert.True(await Store.RegisterClientAsync(Client("c2", created: T0.AddSeconds(1)), "iat-hash", CancellationToken.None));

        Assert.Equal([Client("c1"), Client("c2", created: T0.AddSeconds(1))], await Store.ListClientsAsync(null, CancellationToken.None));
        Assert.Equal(token, await Store.FindInitialAccessTokenAsync("iat-hash", CancellationToken.None));
    }

    [Fact]
    public async Task RegisterClientAsync_UnknownToken_StoresNothing()
    {
        Assert.False(await Store.RegisterClientAsync(Client("c1"), "no-such-hash", CancellationToken.None));

        Assert.Null(await Store.GetClientAsync("c1", CancellationToken.None));
    }

    protected static ClientRecord Client(string id, string project = "p1", DateTimeOffset? created = null) =>
        new(id, project, $"Client {id}", $"secret-hash-{id}", "ssf.manage ssf.read", created ?? T0);

    protected static AccessTokenRecord Token(string hash, string clientId) =>
        new(hash, clientId, "p1", "ssf.manage", T0.AddHours(1));
}
