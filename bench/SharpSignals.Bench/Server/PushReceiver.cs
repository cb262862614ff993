using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The one local push receiver (RFC 8935): a minimal Kestrel endpoint in the bench process that reads
/// each SET and answers 202, counting arrivals and timing the first and the last of an expected run.
/// </summary>
internal sealed class PushReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _count;
    private long _expected = long.MaxValue;
    private long _first;
    private long _last;

    private PushReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/push";

    /// <summary>Pushes received since the last <see cref="Expect"/>.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>From the first push to the last one counted (or to now, while pushes are still arriving).</summary>
    public TimeSpan FirstToLast => Interlocked.Read(ref _first) is var first and > 0
        ? Stopwatch.GetElapsedTime(first, Interlocked.Read(ref _last))
        : TimeSpan.Zero;

    public static async Task<PushReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new PushReceiver(app);
        app.MapPost("/push", (RequestDelegate)receiver.AcceptAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Starts counting from zero; the returned task completes when <paramref name="count"/> pushes have arrived.</summary>
    public Task Expect(long count)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _first, 0);
        Interlocked.Exchange(ref _last, 0);
        Interlocked.Exchange(ref _expected, count);
        return _done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AcceptAsync(HttpContext context)
    {
        await KestrelSink.DrainAsync(context.Request.BodyReader, context.RequestAborted);
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _first, now, 0);
        Interlocked.Exchange(ref _last, now);
        if (Interlocked.Increment(ref _count) == Interlocked.Read(ref _expected))
        {
            _done.TrySetResult();
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
