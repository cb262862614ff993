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
        var server = await StartAsync(temp, name, algorithm, port, $"http://127.0.0.1:{port}", settings);
        try
        {
            return (server, await ReadAdminTokenAsync(temp, name));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a server on <paramref name="port"/> naming itself <paramref name="issuer"/>: a cluster's
    /// nodes share one issuer (docs/CLUSTER.md), the address a load balancer would have.
    /// </summary>
    public static Task<ChildProcess> StartAsync(string temp, string name, string algorithm, int port, string issuer, IEnumerable<string>? settings) =>
        ChildProcess.StartAsync(
            Assembly,
            port,
            [
                "--urls", $"http://127.0.0.1:{port}",
                $"--SharpSignals:DataDirectory={Path.Combine(temp, name)}",
                $"--SharpSignals:Issuer={issuer}",
                "--SharpSignals:AllowInsecureHttp=true",
                $"--SharpSignals:Signing:Algorithm={algorithm}",
                "--Logging:LogLevel:Default=Warning",
                .. (settings ?? Array.Empty<string>()),
            ]);

    /// <summary>The admin token the server named <paramref name="name"/> wrote at its first start (in a cluster, only the first node writes one).</summary>
    public static async Task<string> ReadAdminTokenAsync(string temp, string name) =>
        (await File.ReadAllTextAsync(Path.Combine(temp, name, "admin.token"))).Trim();
}
