using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using SharpSignals.Server.Health;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Health;

public sealed class HealthTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task GetHealthz_WritableDataDirectory_Is200()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetHealthz_DataDirectoryGone_Is503()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();

        // A file where the directory was: nothing can be written there, even as root.
        Directory.Delete(_data.Path, recursive: true);
        await File.WriteAllTextAsync(_data.Path, "not a directory");
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        File.Delete(_data.Path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task GetLivezAndReadyz_Running_Are200()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/livez"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/readyz"));
    }

    [Fact]
    public async Task GetLivez_DataDirectoryGone_Is200_WhileReadyzIs503()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();
        await StatusAsync(client, "/readyz");

        Directory.Delete(_data.Path, recursive: true);
        await File.WriteAllTextAsync(_data.Path, "not a directory");
        var live = await StatusAsync(client, "/livez");
        var ready = await StatusAsync(client, "/readyz");
        File.Delete(_data.Path);

        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
    }

    [Fact]
    public async Task ServingCheck_StartingStartedStopping_IsUnhealthyHealthyUnhealthy()
    {
        // The host's own lifetime: what SIGTERM does first is StopApplication, so a stopping node
        // leaves its load balancer (readiness) while it finishes its work.
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var check = new ServingHealthCheck(lifetime);

        var starting = await check.CheckHealthAsync(new HealthCheckContext());
        lifetime.NotifyStarted();
        var started = await check.CheckHealthAsync(new HealthCheckContext());
        lifetime.StopApplication();
        var stopping = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, starting.Status);
        Assert.Equal(HealthStatus.Healthy, started.Status);
        Assert.Equal(HealthStatus.Unhealthy, stopping.Status);
    }

    public void Dispose() => _data.Dispose();

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }
}
