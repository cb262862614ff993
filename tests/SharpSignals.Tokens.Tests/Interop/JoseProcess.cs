using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace SharpSignals.Tokens.Tests.Interop;

/// <summary>
/// Runs <c>jose-interop.mjs</c> with a real node process: one process per call, every request in one
/// batch, so that a test costs a single node start.
/// </summary>
internal static class JoseProcess
{
    private const string Script = "jose-interop.mjs";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The folder holding the script and its node_modules, written into the assembly by the build.</summary>
    private static readonly string Directory = typeof(JoseProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "JoseInteropDirectory").Value!;

    /// <summary>Sends the requests and returns one answer per request, in order.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RunAsync(params JsonObject[] requests)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        start.ArgumentList.Add(Script);

        using var process = Start(start);
        using var timeout = new CancellationTokenSource(Timeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(new JsonArray(requests).ToJsonString());
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {Script} did not answer within {Timeout.TotalSeconds} seconds.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {Script} exited with code {process.ExitCode}: {await error}");
        }

        var answers = JsonNode.Parse(await output)!.AsArray().Select(a => a!.AsObject()).ToList();
        return answers.Count == requests.Length
            ? answers
            : throw new InvalidOperationException($"node {Script} gave {answers.Count} answers to {requests.Length} requests.");
    }

    private static Process Start(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("node was not found on PATH; the jose interoperability tests need Node.js 20 or later.", ex);
        }
    }
}
