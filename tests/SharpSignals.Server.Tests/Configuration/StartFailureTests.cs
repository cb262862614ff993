using System.Net;
using System.Net.Sockets;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>
/// A server that cannot start says why in one line naming the setting or path and what is allowed,
/// exits with a code other than 0, and prints no stack trace: the real process, as an operator runs it.
/// </summary>
public sealed class StartFailureTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Theory]
    [InlineData("--SharpSignals:Push:Lanes=abc", "SharpSignals:Push:Lanes 'abc' is not a whole number")]
    [InlineData("--SharpSignals:AllowInsecureHttp=maybe", "SharpSignals:AllowInsecureHttp 'maybe' is not true or false")]
    [InlineData("--SharpSignals:ShutdownTimeoutSeconds=abc", "SharpSignals:ShutdownTimeoutSeconds 'abc' is not a whole number")]
    [InlineData("--urls=notaurl", "urls 'notaurl'")]
    [InlineData("--urls=http://127.0.0.1:abc", "a port from 0 to 65535")]
    [InlineData("--SharpSignals:Storage=mysql", "SharpSignals:Storage 'mysql' is not one of sqlite, postgres")]
    [InlineData("--SharpSignals:Push:Lanes=0", "SharpSignals:Push:Lanes: The field Lanes must be between")]
    [InlineData("--SharpSignals:AllowInsecureHtp=true", "SharpSignals:AllowInsecureHtp is not a setting (did you mean SharpSignals:AllowInsecureHttp?)")]
    [InlineData("--SharpSignals:Push:Lane=2", "SharpSignals:Push:Lane is not a setting (did you mean SharpSignals:Push:Lanes?)")]
    [InlineData("--SharpSignals:Lanes=2", "SharpSignals:Lanes is not a setting (did you mean SharpSignals:Push:Lanes?)")]
    [InlineData("--SharpSignals:Realtme:TrustedKeys:0=key", "SharpSignals:Realtme is not a setting (did you mean SharpSignals:Realtime?)")]
    [InlineData("--SharpSignals:DataProtection:CertificatePth=ring.pfx", "SharpSignals:DataProtection:CertificatePth is not a setting (did you mean SharpSignals:DataProtection:CertificatePath?)")]
    public async Task Start_BadSetting_OneLineNamingIt(string setting, string expected)
    {
        var refused = await ServerProcess.RefusedStartAsync(_data.Path, [setting]);

        AssertOneLine(refused, expected);
    }

    [Fact]
    public async Task Start_DataDirectoryUnderAFile_OneLineNamingThePath()
    {
        Directory.CreateDirectory(_data.Path);
        var file = _data.File("a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var dataDirectory = Path.Combine(file, "data");

        var refused = await ServerProcess.RefusedStartAsync(dataDirectory, []);

        AssertOneLine(refused, $"SharpSignals:DataDirectory '{dataDirectory}' cannot be used");
    }

    [Fact]
    public async Task Start_ReadOnlyDataDirectory_OneLineNamingThePath()
    {
        // A directory a server has used (its files are there), then made read-only.
        await (await ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60))).DisposeAsync();
        using var readOnly = ReadOnlyFiles.Make(_data.Path);

        var refused = await ServerProcess.RefusedStartAsync(_data.Path, []);

        AssertOneLine(refused, $"SharpSignals:DataDirectory '{_data.Path}' cannot be used");
    }

    [Fact]
    public async Task Start_PortInUse_OneLineNamingTheAddress()
    {
        // A directory a server has used, so that the start logs nothing of a first start (the key it makes).
        await (await ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60))).DisposeAsync();
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var refused = await ServerProcess.RefusedStartAsync(_data.Path, [], port);

        AssertOneLine(refused, $"http://127.0.0.1:{port}: address already in use");
        Assert.Contains("--urls", refused.Output[^1], StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    /// <summary>The last line says why; with the warnings a start may log before it, two lines at most, and no trace.</summary>
    internal static void AssertOneLine(ServerExitedException refused, string expected)
    {
        var output = string.Join(Environment.NewLine, refused.Output);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.True(refused.Output.Count <= 2, $"More than two lines:{Environment.NewLine}{output}");
        Assert.StartsWith("SharpSignals did not start: ", refused.Output[^1], StringComparison.Ordinal);
        Assert.Contains(expected, refused.Output[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
