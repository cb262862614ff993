using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Admin;

public sealed class AdminTokenBootstrapTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task FirstStart_WritesAnOwnerOnlyAdminTokenThatLaterStartsKeep()
    {
        await StartAsync();
        var token = await File.ReadAllTextAsync(_data.File("admin.token"));
        await StartAsync();

        Assert.True(token.Length >= 43, "the token carries at least 256 bits");
        Assert.Equal(token, await File.ReadAllTextAsync(_data.File("admin.token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_data.File("admin.token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_data.Path));
    }

    public void Dispose() => _data.Dispose();

    private async Task StartAsync()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).EnsureSuccessStatusCode();
    }
}
