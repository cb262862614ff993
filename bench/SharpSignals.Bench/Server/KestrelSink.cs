using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The bare Kestrel ceiling: an app that reads a POST's body and answers 202 with a body the size of
/// the server's <c>{"jti": ...}</c>, and nothing else. The load run starts it as a child process
/// (<c>load-sink --port N</c>) with the server's GC settings, so it is measured as the server is:
/// another process on the same cores, over loopback.
/// </summary>
internal static class KestrelSink
{
    public const string Mode = "load-sink";

    private static readonly byte[] AcceptedBody = """{"jti":"0123456789abcdef0123456789abcdef"}"""u8.ToArray();

    /// <summary>Starts the sink as a child process with the server's GC settings, and a client for it.</summary>
    public static async Task<Client> StartAsync()
    {
        var port = ChildProcess.FreePort();
        var process = await ChildProcess.StartAsync(
            "SharpSignals.Bench.dll",
            port,
            [Mode, "--port", port.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }); // as the server runs (Web SDK default)
        return new Client(process);
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args is not ["--port", var portText] || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            await Console.Error.WriteLineAsync($"usage: {Mode} --port N");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok());
        app.MapPost("/events", (RequestDelegate)AcceptAsync);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Reads the whole request body without keeping it.</summary>
    public static async Task DrainAsync(PipeReader body, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken);
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                return;
            }
        }
    }

    private static async Task AcceptAsync(HttpContext context)
    {
        await DrainAsync(context.Request.BodyReader, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = AcceptedBody.Length;
        await context.Response.Body.WriteAsync(AcceptedBody, context.RequestAborted);
    }

    /// <summary>
    /// The sink's process and the client the load run sends with: the handler the publishers use, a
    /// publish-sized JSON body, and null for a 202.
    /// </summary>
    public sealed class Client(ChildProcess process) : IAsyncDisposable
    {
        private static readonly Uri Events = new("/events", UriKind.Relative);

        private readonly HttpClient _client = new(SsfClient.NewHandler()) { BaseAddress = process.BaseAddress };

        public CpuSnapshot Cpu() => ProcessProbe.Cpu(process.ProcessId);

        public async Task<string?> PostAsync()
        {
            using var content = new ByteArrayContent(SsfClient.EventBodies[0]);
            content.Headers.ContentType = new("application/json");
            using var response = await _client.PostAsync(Events, content);
            return response.StatusCode == System.Net.HttpStatusCode.Accepted ? null : $"HTTP {(int)response.StatusCode}";
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await process.DisposeAsync();
        }
    }
}
