using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>One server per data directory: the second exits at once, and a kill -9 of the first frees the directory.</summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task Start_DirectoryHeldByARunningServer_ExitsWithOneLineUntilTheHolderIsKilled()
    {
        var first = await ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), StartTimeout);
        try
        {
            var refused = await ServerProcess.RefusedStartAsync(_data.Path, []);

            StartFailureTests.AssertOneLine(refused, $"SharpSignals:DataDirectory '{_data.Path}' is held by another SharpSignals server");

            // SIGKILL: nothing of the first server's shutdown runs, the system drops its lock.
            await first.KillAsync(TimeSpan.FromSeconds(10));
            await using var next = await ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), StartTimeout);
            using var client = next.CreateClient();
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    public void Dispose() => _data.Dispose();
}
