using System.Collections.Concurrent;
using System.Diagnostics;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>
/// The receiving test application (tests/SharpSignals.Receiver.TestHost) as a child process,
/// <c>dotnet SharpSignals.Receiver.TestHost.dll</c> from this test output, so that a test can kill
/// it with SIGKILL between receipt and handling and start it again on the same state directory.
/// </summary>
internal sealed class ReceiverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ReceiverProcess(Process process) => _process = process;

    public string RecentOutput => string.Join(Environment.NewLine, _output.TakeLast(40));

    public bool HasExited => _process.HasExited;

    public static ReceiverProcess Start(string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SharpSignals.Receiver.TestHost.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var receiver = new ReceiverProcess(process);
        process.OutputDataReceived += (_, e) => receiver.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => receiver.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return receiver;
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public ValueTask DisposeAsync() => ChildProcessExit.KillAndDisposeAsync(_process);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
