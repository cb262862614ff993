using System.Net;
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

    public void Dispose() => _data.Dispose();
}
