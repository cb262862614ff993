using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Several local RFC 8935 push receivers in one Kestrel app, one path each (<c>/push/0</c> …): each
/// reads the SET, answers 202 and is counted on its own, with its first and last arrival; with a
/// <see cref="SendLog"/>, each arrival's time is also recorded against the SET's number.
/// </summary>
internal sealed class TrackingReceiver : IAsyncDisposable
{
    public const int Paths = 16;

    private readonly WebApplication _app;
    private readonly long[] _counts = new long[Paths];
    private readonly long[] _first = new long[Paths];
    private readonly long[] _last = new long[Paths];

    private TrackingReceiver(WebApplication app) => _app = app;

    /// <summary>Where arrivals are timed against their send, if anywhere.</summary>
    public SendLog? Log { get; set; }

    /// <summary>From the first arrival at any of <paramref name="paths"/> since <see cref="Reset"/> to the last so far.</summary>
    public TimeSpan FirstToLast(IReadOnlyCollection<int> paths)
    {
        var arrived = paths.Where(p => Interlocked.Read(ref _first[p]) > 0).ToList();
        return arrived.Count == 0
            ? TimeSpan.Zero
            : Stopwatch.GetElapsedTime(arrived.Min(p => Interlocked.Read(ref _first[p])), arrived.Max(p => Interlocked.Read(ref _last[p])));
    }

    public static async Task<TrackingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TrackingReceiver(app);
        app.MapPost("/push/{path:int}", (RequestDelegate)receiver.AcceptAsync);
        await app.StartAsync();
        return receiver;
    }

    public string Url(int path) => $"{_app.Urls.First()}/push/{path}";

    public long Count(int path) => Interlocked.Read(ref _counts[path]);

    public long Total(IEnumerable<int> paths) => paths.Sum(Count);

    public void Reset()
    {
        for (var i = 0; i < Paths; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
            Interlocked.Exchange(ref _first[i], 0);
            Interlocked.Exchange(ref _last[i], 0);
        }
    }

    /// <summary>Waits until each of <paramref name="paths"/> has counted <paramref name="count"/>, or the time-out; whether they all did.</summary>
    public async Task<bool> WaitForAsync(IReadOnlyCollection<int> paths, long count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (paths.Any(p => Count(p) < count))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!int.TryParse(context.Request.RouteValues["path"] as string, out var path) || path is < 0 or >= Paths)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            if (read.IsCompleted || read.IsCanceled)
            {
                var now = Stopwatch.GetTimestamp();
                Log?.Received(read.Buffer, now);
                reader.AdvanceTo(read.Buffer.End);
                Interlocked.CompareExchange(ref _first[path], now, 0);
                Interlocked.Exchange(ref _last[path], now);
                Interlocked.Increment(ref _counts[path]);
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
