using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Admin;

public sealed class AdminMetricsTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new SsfTestServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterAPublish_CountTheCommitAndTheWrite()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        await SsfTestServer.CreateStreamAsync(client, new { });
        var before = await MetricsAsync();

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var after = await MetricsAsync();

        Assert.True(after.GetProperty("store_commits").GetInt64() > before.GetProperty("store_commits").GetInt64());
        Assert.True(after.GetProperty("store_writes").GetInt64() > before.GetProperty("store_writes").GetInt64());
        Assert.True(after.GetProperty("store_writes").GetInt64() >= after.GetProperty("store_commits").GetInt64());
        Assert.True(after.GetProperty("working_set_bytes").GetInt64() > 0);
        Assert.True(after.GetProperty("peak_working_set_bytes").GetInt64() >= after.GetProperty("working_set_bytes").GetInt64());
        Assert.True(after.GetProperty("managed_heap_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Metrics_WithoutTheAdminScope_Is403()
    {
        var (client, _, _) = await _server.RegisterClientAsync();

        using var response = await client.GetAsync(new Uri("/admin/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_WithoutAToken_Is401()
    {
        using var response = await _server.Factory.CreateClient().GetAsync(new Uri("/admin/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonElement> MetricsAsync()
    {
        using var response = await _server.Admin.GetAsync(new Uri("/admin/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
