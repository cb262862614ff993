using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSignals.Server.Tests.Cluster;

/// <summary>
/// docs/TENANTS.md, "Cluster": a tenant created, given a new admin token or deleted on one node is served the
/// same way by every other node of the cluster, with the same keys, without a restart.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class TenantClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TenantMadeOnA_IsServedByB_UntilDeletedOnA()
    {
        var a = await _cluster.StartNodeAsync("node-a", checkSeconds: 30);
        var b = await _cluster.StartNodeAsync("node-b", checkSeconds: 30);
        using var adminA = a.CreateClient(_cluster.AdminToken);
        using var anonymousB = b.CreateClient();

        using var created = await adminA.PostAsJsonAsync("/admin/tenants", new { name = "acme" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenantToken = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("admin_token").GetString();

        var metadata = (await anonymousB.GetFromJsonAsync<JsonObject>("/.well-known/ssf-configuration/t/acme"))!;
        Assert.Equal(_cluster.Issuer + "/t/acme", (string?)metadata["issuer"]);
        Assert.Equal(await a.CreateClient().GetStringAsync("/t/acme/jwks.json"), await anonymousB.GetStringAsync("/t/acme/jwks.json"));
        using var tenantAdminB = b.CreateClient(tenantToken);
        Assert.Equal(HttpStatusCode.OK, (await tenantAdminB.GetAsync("/t/acme/admin/streams")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await adminA.DeleteAsync("/admin/tenants/acme")).StatusCode);
        await Eventually.TrueAsync(
            async () => (await tenantAdminB.GetAsync("/t/acme/admin/streams")).StatusCode == HttpStatusCode.NotFound,
            "B to hear that acme is gone",
            TimeSpan.FromSeconds(10));
    }
}
