using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Server.Tests.Support;

/// <summary>One push the receiver got, as it arrived.</summary>
internal sealed record RecordedPush(string Path, string? ContentType, string? Accept, string? Authorization, bool HasAuthorization, string Body)
{
    /// <summary>The connection it came on: pushes sent at once come on different connections.</summary>
    public string ConnectionId { get; init; } = "";

    /// <summary>The W3C <c>traceparent</c> header, empty when none was sent.</summary>
    public string TraceParent { get; init; } = "";

    /// <summary>The HTTP version it came over, as Kestrel names it: <c>HTTP/1.1</c>, <c>HTTP/2</c>.</summary>
    public string Protocol { get; init; } = "";
}

/// <summary>
/// A real RFC 8935 push endpoint on a loopback port: it records every request and answers what the
/// test scripts (202 by default). Plain http, or https with a certificate, offering HTTP/2 and
/// HTTP/1.1 in ALPN.
/// </summary>
internal sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedPush> _received = new();
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly ConcurrentDictionary<string, string> _documents = new(StringComparer.Ordinal);

    private RecordingReceiver(WebApplication app) => _app = app;

    /// <summary>Decides the answer to the n-th push (0-based): status, optional JSON body and headers.</summary>
    public Func<int, RecordedPush, (int Status, string? Body, IDictionary<string, string>? Headers)> Respond { get; set; } = (_, _) => (202, null, null);

    public IReadOnlyCollection<RecordedPush> Received => _received;

    public string Url(string path = "/events") => _app.Urls.First() + path;

    /// <summary>Serves a JSON document at <paramref name="path"/> (a JWKS, say) to GET requests.</summary>
    public void Serve(string path, string json) => _documents[path] = json;

    /// <summary>Starts the receiver: over https with <paramref name="certificate"/> (it needs its private key), else plain http.</summary>
    public static async Task<RecordingReceiver> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                // HTTP/2 over TLS is chosen in ALPN (RFC 9113 §3.2): both are offered, the client picks.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }));
        }

        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new RecordingReceiver(app);
        var count = 0;
        app.MapGet("/{**path}", (HttpContext context) => receiver._documents.TryGetValue(context.Request.Path, out var json)
            ? Results.Text(json, "application/json")
            : Results.NotFound());
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var push = new RecordedPush(
                context.Request.Path,
                context.Request.ContentType,
                context.Request.Headers.Accept.ToString(),
                context.Request.Headers.Authorization.ToString(),
                context.Request.Headers.ContainsKey("Authorization"),
                await reader.ReadToEndAsync())
            {
                ConnectionId = context.Connection.Id,
                TraceParent = context.Request.Headers["traceparent"].ToString(),
                Protocol = context.Request.Protocol,
            };
            var (status, body, headers) = receiver.Respond(Interlocked.Increment(ref count) - 1, push);
            receiver._received.Enqueue(push);
            receiver._arrivals.Release();
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.StatusCode = status;
            if (body is not null)
            {
                context.Response.ContentType = "application/json";
                context.Response.Headers.ContentLanguage = "en";
                await context.Response.WriteAsync(body);
            }
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until <paramref name="count"/> pushes have arrived in all, or fails after the timeout.</summary>
    public async Task<IReadOnlyList<RecordedPush>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (_received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrivals.WaitAsync(left))
            {
                throw new TimeoutException($"Expected {count} pushes, got {_received.Count}.");
            }
        }

        return _received.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrivals.Dispose();
    }
}
