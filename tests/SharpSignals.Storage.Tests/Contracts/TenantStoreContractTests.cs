using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Streams;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// Tenants, as every provider must keep them:
/// <list type="bullet">
/// <item>A name is given once: creating a tenant whose name exists or existed (deleted) answers false and changes nothing.</item>
/// <item>Each tenant has its own signing keys: one active key per tenant, rotating one leaves the others'.</item>
/// <item>Deleting a tenant marks it deleted and, in the same transaction, disables its streams, revokes its clients
/// and deletes its access tokens, IATs and signing keys; nothing of another tenant's (the default's included) changes.</item>
/// <item>The event search with a tenant finds only that tenant's projects' events.</item>
/// </list>
/// </summary>
public abstract class TenantStoreContractTests : StoreContractBase
{
    [Fact]
    public async Task CreateTenantAsync_NameGivenOnce_EvenAfterDeletion()
    {
        Assert.True(await Store.CreateTenantAsync(new TenantRecord("acme", "h1", T0), CancellationToken.None));
        Assert.False(await Store.CreateTenantAsync(new TenantRecord("acme", "h2", T0), CancellationToken.None));
        Assert.True(await Store.DeleteTenantAsync("acme", T0.AddDays(1), CancellationToken.None));
        Assert.False(await Store.CreateTenantAsync(new TenantRecord("acme", "h3", T0.AddDays(2)), CancellationToken.None));
        Assert.False(await Store.DeleteTenantAsync("acme", T0.AddDays(3), CancellationToken.None));

        var tenant = Assert.Single(await Store.ListTenantsAsync(CancellationToken.None));
        Assert.Equal(("acme", "h1", T0, (DateTimeOffset?)T0.AddDays(1)), (tenant.Name, tenant.AdminTokenHash, tenant.CreatedAt, tenant.DeletedAt));
    }

    [Fact]
    public async Task SetTenantAdminTokenHashAsync_OnlyALiveTenant()
    {
        await Store.CreateTenantAsync(new TenantRecord("acme", "h1", T0), CancellationToken.None);

        Assert.True(await Store.SetTenantAdminTokenHashAsync("acme", "h2", CancellationToken.None));
        Assert.False(await Store.SetTenantAdminTokenHashAsync("nobody", "h3", CancellationToken.None));
        Assert.Equal("h2", Assert.Single(await Store.ListTenantsAsync(CancellationToken.None)).AdminTokenHash);
    }

    [Fact]
    public async Task SigningKeys_OneActivePerTenant()
    {
        await Store.RotateSigningKeyAsync(Key("root1", "", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("acme1", "acme", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("acme2", "acme", T0.AddDays(1)), CancellationToken.None);

        var root = Assert.Single(await Store.ListSigningKeysAsync("", CancellationToken.None));
        var acme = await Store.ListSigningKeysAsync("acme", CancellationToken.None);
        Assert.Equal(("root1", (DateTimeOffset?)null), (root.KeyId, root.RetiredAt));
        Assert.Equal(["acme1", "acme2"], acme.Select(k => k.KeyId));
        Assert.Equal([T0.AddDays(1), (DateTimeOffset?)null], acme.Select(k => k.RetiredAt));
        Assert.All(acme, k => Assert.Equal("acme", k.Tenant));
    }

    [Fact]
    public async Task DeleteTenantAsync_StopsItsStreamsAndCredentials_LeavesOthers()
    {
        await Store.CreateTenantAsync(new TenantRecord("acme", "h", T0), CancellationToken.None);
        foreach (var (id, project) in new[] { ("s-acme", "acme/default"), ("s-root", "default"), ("s-beta", "beta/default") })
        {
            await Store.CreateStreamAsync(new StreamRecord(id, project, null, "outbound", "enabled", """{"delivery":{"method":"urn:ietf:rfc:8935"}}""", T0, T0), CancellationToken.None);
            await Store.CreateInitialAccessTokenAsync(new InitialAccessTokenRecord("iat-" + id, project, T0, T0.AddDays(9)), CancellationToken.None);
            Assert.True(await Store.RegisterClientAsync(new ClientRecord("c-" + id, project, "n", "secret", "read", T0), "iat-" + id, CancellationToken.None));
            await Store.StoreAccessTokenAsync(new AccessTokenRecord("at-" + id, "c-" + id, project, "read", T0.AddDays(9)), CancellationToken.None);
        }

        await Store.RotateSigningKeyAsync(Key("acme1", "acme", T0), CancellationToken.None);
        await Store.RotateSigningKeyAsync(Key("root1", "", T0), CancellationToken.None);

        Assert.True(await Store.DeleteTenantAsync("acme", T0.AddDays(1), CancellationToken.None));

        Assert.Equal("disabled", (await Store.GetStreamAsync("s-acme", CancellationToken.None))!.Status);
        Assert.NotNull((await Store.GetClientAsync("c-s-acme", CancellationToken.None))!.RevokedAt);
        Assert.Null(await Store.FindAccessTokenAsync("at-s-acme", CancellationToken.None));
        Assert.Null(await Store.FindInitialAccessTokenAsync("iat-s-acme", CancellationToken.None));
        Assert.Empty(await Store.ListSigningKeysAsync("acme", CancellationToken.None));

        foreach (var id in new[] { "s-root", "s-beta" })
        {
            Assert.Equal("enabled", (await Store.GetStreamAsync(id, CancellationToken.None))!.Status);
            Assert.Null((await Store.GetClientAsync("c-" + id, CancellationToken.None))!.RevokedAt);
            Assert.NotNull(await Store.FindAccessTokenAsync("at-" + id, CancellationToken.None));
            Assert.NotNull(await Store.FindInitialAccessTokenAsync("iat-" + id, CancellationToken.None));
        }

        Assert.Single(await Store.ListSigningKeysAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task SearchAsync_WithATenant_FindsOnlyItsProjects()
    {
        foreach (var (jti, project) in new[] { ("e-root", "default"), ("e-root2", "other"), ("e-acme", "acme/default"), ("e-acme2", "acme/x"), ("e-beta", "beta/default") })
        {
            await Store.AppendAsync(new NewEvent("https://issuer", jti, project, ["urn:t"], "token-" + jti, T0), [], CancellationToken.None);
        }

        async Task<string[]> Jtis(string? tenant) =>
            [.. (await Store.SearchAsync(new EventQuery { Tenant = tenant }, CancellationToken.None)).Select(e => e.Jti).Order(StringComparer.Ordinal)];

        Assert.Equal(["e-root", "e-root2"], await Jtis(""));
        Assert.Equal(["e-acme", "e-acme2"], await Jtis("acme"));
        Assert.Equal(["e-acme", "e-acme2", "e-beta", "e-root", "e-root2"], await Jtis(null));
    }

    private static SigningKeyRecord Key(string kid, string tenant, DateTimeOffset created) =>
        new(kid, "ES256", $"protected-{kid}", created) { Tenant = tenant };
}
