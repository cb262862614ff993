using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Server.Tests.Support;

/// <summary>One poll the fake source got: its Authorization header and its JSON body.</summary>
internal sealed record RecordedPoll(string? Authorization, JsonObject Body)
{
    public IReadOnlyList<string> Ack => Body["ack"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];

    public JsonObject SetErrs => Body["setErrs"]?.AsObject() ?? [];
}

/// <summary>
/// A real RFC 8936 poll endpoint on a loopback port, for SETs a test signs (with a <see cref="TestTransmitter"/>):
/// it hands out what is queued and not yet acknowledged or refused, oldest first, and records every poll.
/// A long poll with nothing queued waits a moment, then answers empty.
/// </summary>
internal sealed class FakePollSource : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<KeyValuePair<string, string>> _queued = [];
    private readonly List<RecordedPoll> _polls = [];

    private FakePollSource(WebApplication app) => _app = app;

    /// <summary>Decides whether the n-th poll (0-based) fails: a status and headers to answer instead of SETs, or null.</summary>
    public Func<int, (int Status, IDictionary<string, string>? Headers)?> Fail { get; set; } = _ => null;

    public string Url => _app.Urls.First() + "/poll";

    public IReadOnlyList<RecordedPoll> Polls
    {
        get
        {
            lock (_gate)
            {
                return [.. _polls];
            }
        }
    }

    public static async Task<FakePollSource> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var source = new FakePollSource(app);
        app.MapPost("/poll", source.PollAsync);
        await app.StartAsync();
        return source;
    }

    public void Queue(string jti, string token)
    {
        lock (_gate)
        {
            _queued.Add(new(jti, token));
        }
    }

    /// <summary>Waits until the polls so far satisfy <paramref name="condition"/>, or fails after the timeout.</summary>
    public Task<IReadOnlyList<RecordedPoll>> WaitForAsync(Func<IReadOnlyList<RecordedPoll>, bool> condition, TimeSpan? timeout = null) =>
        Eventually.GetAsync(() => Task.FromResult(Polls), condition, "the polls to satisfy the condition", timeout, polls => $"{polls.Count} polls");

    private async Task PollAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!.AsObject();
        var poll = new RecordedPoll(context.Request.Headers.Authorization.ToString(), body);
        int index;
        lock (_gate)
        {
            index = _polls.Count;
            _polls.Add(poll);
        }

        if (Fail(index) is { } failure)
        {
            foreach (var (name, value) in failure.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.StatusCode = failure.Status;
            return;
        }

        var settled = poll.Ack.Concat(poll.SetErrs.Select(e => e.Key)).ToHashSet(StringComparer.Ordinal);
        var max = body["maxEvents"]?.GetValue<int>() ?? int.MaxValue;
        var returnImmediately = body["returnImmediately"]?.GetValue<bool>() ?? false;
        var (sets, more) = Pending(settled, max);
        if (sets.Count == 0 && max > 0 && !returnImmediately)
        {
            // RFC 8936 §2.1 long poll, kept short for tests: the fake source's own wait, not the test's.
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.RequestAborted);
            (sets, more) = Pending([], max);
        }

        var answer = new JsonObject { ["sets"] = new JsonObject(sets.Select(s => new KeyValuePair<string, JsonNode?>(s.Key, JsonValue.Create(s.Value)))), ["moreAvailable"] = more };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private (List<KeyValuePair<string, string>> Sets, bool More) Pending(HashSet<string> settled, int max)
    {
        lock (_gate)
        {
            _queued.RemoveAll(q => settled.Contains(q.Key));
            return ([.. _queued.Take(max)], _queued.Count > max);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
