using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>
/// A transmitter on its own loopback port that passes every request on to a real SharpSignals server
/// and back, except stream creation, which it can be told to refuse as a misconfigured transmitter
/// would (403, 401, ...). Give the server the gate's URL as its issuer (<see cref="IssuerSetting"/>)
/// for a transmitter that works once the gate opens; leave the server's own for one whose metadata
/// names another issuer than the receiver was given.
/// </summary>
internal sealed class TransmitterGate : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly TimeProvider _clock;
    private int _refuseStreamCreationWith;

    private TransmitterGate(WebApplication app, HttpClient upstream, TimeProvider clock, string url)
    {
        _app = app;
        _upstream = upstream;
        _clock = clock;
        Url = url;
    }

    public string Url { get; }

    /// <summary>While not null, <c>POST /ssf/streams</c> is answered with this status and a problem body instead of passed on.</summary>
    public int? RefuseStreamCreationWith
    {
        get => Volatile.Read(ref _refuseStreamCreationWith) is var status and > 0 ? status : null;
        set => Volatile.Write(ref _refuseStreamCreationWith, value ?? 0);
    }

    /// <summary>When each <c>POST /ssf/streams</c> arrived, on the gate's clock (the receiver's, when the test moves it).</summary>
    public ConcurrentQueue<DateTimeOffset> StreamCreations { get; } = new();

    /// <summary>The server setting that makes the server's issuer the gate's URL.</summary>
    public static Dictionary<string, string?> IssuerSetting(int gatePort) => new() { ["SharpSignals:Issuer"] = $"http://127.0.0.1:{gatePort}" };

    /// <param name="port">The gate's port.</param>
    /// <param name="upstream">The server's own URL.</param>
    /// <param name="clock">The clock <see cref="StreamCreations"/> are read from.</param>
    public static async Task<TransmitterGate> StartAsync(int port, string upstream, TimeProvider? clock = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var gate = new TransmitterGate(app, new HttpClient { BaseAddress = new Uri(upstream) }, clock ?? TimeProvider.System, url);
        app.Run(gate.HandleAsync);
        await app.StartAsync();
        return gate;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path == "/ssf/streams")
        {
            StreamCreations.Enqueue(_clock.GetUtcNow());
            if (RefuseStreamCreationWith is { } status)
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsJsonAsync(new { title = "Forbidden", status, detail = "This client may not create streams." }, context.RequestAborted);
                return;
            }
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new ByteArrayContent(await ReadAllAsync(request.Body, context.RequestAborted));
            if (request.ContentType is { } contentType)
            {
                forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        foreach (var header in new[] { "Authorization", "Accept" })
        {
            if (request.Headers.TryGetValue(header, out var values))
            {
                forward.Headers.TryAddWithoutValidation(header, values.ToArray());
            }
        }

        using var answer = await _upstream.SendAsync(forward, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        if (answer.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        if (answer.Headers.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString();
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
