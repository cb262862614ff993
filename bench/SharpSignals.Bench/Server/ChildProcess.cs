using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SharpSignals.Tests.Support;

namespace SharpSignals.Bench.Server;

/// <summary>
/// A .NET app run as <c>dotnet app.dll ...</c> (so the process measured is the app itself, not a
/// wrapper) on a loopback port, ready once its <c>/healthz</c> answers 200.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 50;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Throws with the exit code and the last lines the process wrote if it is no longer running.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The child process exited with code {_process.ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
        }
    }

    /// <summary>A loopback port nobody listens on right now, chosen by the system.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="assembly"/> (in this program's directory) and waits until it is healthy.</summary>
    public static async Task<ChildProcess> StartAsync(string assembly, int port, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, port);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"{assembly} did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await child.WaitHealthyAsync(assembly, TimeSpan.FromSeconds(60));
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => ChildProcessExit.KillAndDisposeAsync(_process);

    /// <summary>The host running this program when it is <c>dotnet</c>, else the one the SDK names, else the one on the PATH.</summary>
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

    private async Task WaitHealthyAsync(string assembly, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{assembly} exited with code {_process.ExitCode} before it was healthy:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"{assembly} on port {Port} was not healthy after {timeout.TotalSeconds:0} s:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
    }
}
