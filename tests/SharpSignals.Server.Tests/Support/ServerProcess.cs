using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// The real server as a child process, <c>dotnet SharpSignals.Server.dll</c> from the test output,
/// on a loopback port over a data directory the test owns: a test can <c>kill -9</c> it and start
/// it again on the same directory. <c>dotnet app.dll</c> runs the app in the host process itself,
/// so the process killed is the server, not a wrapper that would leave it running.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 400;

    /// <summary>SIGTERM's number on Linux and macOS.</summary>
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string dataDirectory, int port, string issuer)
    {
        Issuer = issuer;
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>The issuer the server is started with: its own base address unless told otherwise.</summary>
    public string Issuer { get; }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the server wrote (warnings and errors only), for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>A loopback port nobody listens on right now, chosen by the system.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the server and returns once <c>/healthz</c> answers 200; fails with its output otherwise.
    /// <paramref name="settings"/> are more <c>--Key=value</c> arguments; <paramref name="issuer"/>
    /// replaces the default issuer (the server's own address), as the nodes of a cluster share one;
    /// <paramref name="environment"/> adds to or replaces the process's environment variables
    /// (<c>SSL_CERT_FILE</c>, say: what OpenSSL, and so .NET on Linux, trusts).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, int port, TimeSpan timeout, IEnumerable<string>? settings = null, string? issuer = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var listenOn = $"http://127.0.0.1:{port}";
        issuer ??= listenOn;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The data directory may not exist yet: the server creates it (0700) on first start.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "SharpSignals.Server.dll"),
            "--urls", listenOn,
            $"--SharpSignals:DataDirectory={dataDirectory}",
            $"--SharpSignals:Issuer={issuer}",
            "--SharpSignals:AllowInsecureHttp=true",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(settings ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process, dataDirectory, port, issuer);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("The server process did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(timeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// What the server printed when it refused to start with <paramref name="settings"/> (more
    /// <c>--Key=value</c> arguments); fails if it starts. A real process, as an operator sees it.
    /// </summary>
    public static async Task<string> StartFailureAsync(string dataDirectory, IEnumerable<string> settings)
    {
        try
        {
            await using var server = await StartAsync(dataDirectory, FreePort(), TimeSpan.FromSeconds(60), settings);
        }
        catch (InvalidOperationException refused) when (refused.Message.StartsWith("The server exited", StringComparison.Ordinal))
        {
            return refused.Message;
        }

        throw new Xunit.Sdk.XunitException("The server started.");
    }

    /// <summary>
    /// How the server ended when it refused to start with <paramref name="settings"/> (more
    /// <c>--Key=value</c> arguments, which win over the defaults), on <paramref name="port"/> when
    /// given; fails if it starts.
    /// </summary>
    public static async Task<ServerExitedException> RefusedStartAsync(string dataDirectory, IEnumerable<string> settings, int? port = null)
    {
        try
        {
            await using var server = await StartAsync(dataDirectory, port ?? FreePort(), TimeSpan.FromSeconds(60), settings);
        }
        catch (ServerExitedException refused)
        {
            return refused;
        }

        throw new Xunit.Sdk.XunitException("The server started.");
    }

    /// <summary>A client for the server, authorised with <paramref name="token"/> when given.</summary>
    public HttpClient CreateClient(string? token = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>The admin token the server wrote to its data directory on first start.</summary>
    public string ReadAdminToken() => File.ReadAllText(Path.Combine(DataDirectory, "admin.token")).Trim();

    /// <summary>
    /// SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): no shutdown code runs. Returns once
    /// the process is gone and its port refuses connections.
    /// </summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        _process.Kill();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server (pid {ProcessId}) was still running {timeout.TotalSeconds:0} s after SIGKILL.");
        }

        using var probe = new TcpClient();
        var refused = false;
        try
        {
            await probe.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
        }
        catch (SocketException)
        {
            refused = true;
        }

        if (!refused)
        {
            throw new InvalidOperationException($"Something still listens on port {Port} after the server (pid {ProcessId}) was killed.");
        }
    }

    /// <summary>
    /// SIGTERM, what an orchestrator sends to stop a container: the server's shutdown runs. Returns
    /// the exit code once the process is gone and how long it took; fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        if (SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"SIGTERM could not be sent to the server (pid {ProcessId}): errno {Marshal.GetLastPInvokeError()}.");
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server (pid {ProcessId}) was still running {timeout.TotalSeconds:0} s after SIGTERM. Output:{Environment.NewLine}{RecentOutput}");
        }

        return (_process.ExitCode, clock.Elapsed);
    }

    public ValueTask DisposeAsync() => ChildProcessExit.KillAndDisposeAsync(_process);

    /// <summary>kill(2): .NET sends only SIGKILL to another process.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>The host running these tests when it is <c>dotnet</c>, else the one the SDK names, else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines)
        {
            _output.TryDequeue(out _);
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = CreateClient(timeout: TimeSpan.FromSeconds(5));
        var last = "no answer";
        await Eventually.TrueAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    // Also waits for the last of its output to be read.
                    await _process.WaitForExitAsync();
                    throw new ServerExitedException(_process.ExitCode, [.. _output]);
                }

                try
                {
                    using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return true;
                    }

                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (HttpRequestException ex)
                {
                    last = ex.Message;
                }
                catch (TaskCanceledException)
                {
                    last = "health check timed out";
                }

                return false;
            },
            $"the server on port {Port} to be healthy",
            timeout,
            () => $"{last}. Output:{Environment.NewLine}{RecentOutput}");
    }
}
