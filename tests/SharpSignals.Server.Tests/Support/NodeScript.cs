using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// Runs a script of the Interop folder with node (its npm packages installed by the build): the request
/// goes in as JSON on standard input, the answer comes back as JSON on standard output.
/// </summary>
internal static class NodeScript
{
    private static readonly string Directory = typeof(NodeScript).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NotifluxInteropDirectory").Value!;

    public static async Task<JsonObject> RunAsync(string script, JsonObject request)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("node was not found on PATH; the interoperability tests need Node.js 20 or later.", ex);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(request.ToJsonString());
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {await error}");
            return JsonNode.Parse(await output)!.AsObject();
        }
    }
}
