using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Interop;

/// <summary>
/// notiflux compatibility: a subscriber on the npm <c>ws</c> WebSocket and a publisher whose ES256
/// tokens come from the npm <c>jose</c> package, speaking notiflux's commands and broadcast body.
/// </summary>
public sealed class NotifluxInteropTests
{
    private static readonly string Directory = typeof(NotifluxInteropTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NotifluxInteropDirectory").Value!;

    [Fact]
    public async Task NotifluxClientAndPublisher_WithJoseTokens_WorkUnchanged()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKeyBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
        await using var server = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Realtime:TrustedKeys:0"] = publicKeyBase64 });

        var answer = await RunAsync(new JsonObject
        {
            ["baseUrl"] = server.Issuer,
            ["privateKeyPem"] = key.ExportPkcs8PrivateKeyPem(),
            ["topic"] = "campaign:42",
            ["messages"] = new JsonArray("first", "{\"json\": true}", "third"),
        });

        Assert.Equal([200, 200, 200, 403, 200], answer["statuses"]!.AsArray().Select(s => (int)s!));
        Assert.Equal(["first", "{\"json\": true}", "third"], answer["received"]!.AsArray().Select(f => (string)f!));
        var refused = answer["refused"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(3, refused.Count);
        Assert.StartsWith("error: insufficient_scope", refused[0], StringComparison.Ordinal);
        Assert.Equal("Invalid subscribe command, it should be: /subscribe <topic> <token>", refused[1]);
        Assert.Equal("Unknown command", refused[2]);
    }

    private static async Task<JsonObject> RunAsync(JsonObject request)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("notiflux-client.mjs");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("node was not found on PATH; the notiflux interoperability test needs Node.js 20 or later.", ex);
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
