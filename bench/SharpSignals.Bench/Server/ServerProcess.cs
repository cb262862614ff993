namespace SharpSignals.Bench.Server;

/// <summary>The real server (Release build, copied beside the bench) as a child process on a fresh data directory.</summary>
internal static class ServerProcess
{
    private const string Assembly = "SharpSignals.Server.dll";

    /// <summary>
    /// Starts a server signing with <paramref name="algorithm"/>, its data in <paramref name="temp"/>/<paramref name="name"/>,
    /// with any further <c>--Key=Value</c> <paramref name="settings"/>, and reads its admin token.
    /// </summary>
    public static async Task<(ChildProcess Server, string AdminToken)> StartAsync(string temp, string name, string algorithm, IEnumerable<string>? settings = null)
    {
        var port = ChildProcess.FreePort();
        var data = Path.Combine(temp, name);
        var issuer = $"http://127.0.0.1:{port}";
        var server = await ChildProcess.StartAsync(
            Assembly,
            port,
            [
                "--urls", issuer,
                $"--SharpSignals:DataDirectory={data}",
                $"--SharpSignals:Issuer={issuer}",
                "--SharpSignals:AllowInsecureHttp=true",
                $"--SharpSignals:Signing:Algorithm={algorithm}",
                "--Logging:LogLevel:Default=Warning",
                .. (settings ?? Array.Empty<string>()),
            ]);
        try
        {
            return (server, (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
