using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Telemetry;

/// <summary>
/// Traces (docs/OPERATIONS.md, "Metrics and traces"), collected in memory: a publish is a span, its
/// append-and-route commit a child, and the push to a real receiver a span of its own linked to the
/// publish across the queue. The receiver sees a <c>traceparent</c> only when the setting allows.
/// </summary>
[Collection(TelemetryCollectionDefinition.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private RecordingReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Publish_IsASpanWithTheCommitAsChild_AndThePushIsLinkedToIt()
    {
        await using var server = Start(sendTraceParent: false);
        var (client, _, _) = await server.RegisterClientAsync();
        var streamId = await PushStreamAsync(client);

        var jti = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var pushed = Assert.Single(await _receiver.WaitForAsync(1));

        var push = await SpanAsync(s => s.OperationName == "sharpsignals.push" && (string?)s.GetTagItem("sharpsignals.stream_id") == streamId);
        var link = Assert.Single(push.Links);
        var publish = await SpanAsync(s => s.OperationName == "sharpsignals.publish" && s.SpanId == link.Context.SpanId);
        Assert.Equal(publish.TraceId, link.Context.TraceId);
        Assert.NotEqual(publish.TraceId, push.TraceId);
        var commit = await SpanAsync(s => s.OperationName == "sharpsignals.append_and_route" && s.ParentSpanId == publish.SpanId);
        Assert.Equal(publish.TraceId, commit.TraceId);
        Assert.Equal(ActivityStatusCode.Unset, push.Status);
        Assert.NotEmpty(jti);

        // Off by default: the receiver is told nothing of this server's traces.
        Assert.Equal("", pushed.TraceParent);
    }

    [Fact]
    public async Task Push_WhenAllowed_CarriesTheTraceParentOfItsDelivery()
    {
        await using var server = Start(sendTraceParent: true);
        var (client, _, _) = await server.RegisterClientAsync();
        var streamId = await PushStreamAsync(client);

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var pushed = Assert.Single(await _receiver.WaitForAsync(1));

        var push = await SpanAsync(s => s.OperationName == "sharpsignals.push" && (string?)s.GetTagItem("sharpsignals.stream_id") == streamId);
        Assert.StartsWith($"00-{push.TraceId}-", pushed.TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollHandOut_IsASpanLinkedToThePublish()
    {
        await using var server = Start(sendTraceParent: false);
        var (client, _, _) = await server.RegisterClientAsync();
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true });

        var handOut = await SpanAsync(s => s.OperationName == "sharpsignals.poll.handout" && (string?)s.GetTagItem("sharpsignals.stream_id") == streamId);
        var link = Assert.Single(handOut.Links);
        await SpanAsync(s => s.OperationName == "sharpsignals.publish" && s.SpanId == link.Context.SpanId);
    }

    private SsfTestServer Start(bool sendTraceParent) => new(
        new Dictionary<string, string?> { ["SharpSignals:Telemetry:PushTraceParent"] = sendTraceParent ? "true" : "false" },
        services: services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(_spans)));

    private async Task<string> PushStreamAsync(HttpClient client) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url() },
        }))["stream_id"]!;

    /// <summary>The first exported span that matches; spans are exported as they end.</summary>
    private Task<Activity> SpanAsync(Func<Activity, bool> match) =>
        Eventually.GetAsync(
            () =>
            {
                // The exporter adds under its own lock; an index walk never trips over an add.
                for (var i = 0; i < _spans.Count; i++)
                {
                    if (_spans[i] is { } span && match(span))
                    {
                        return Task.FromResult(span);
                    }
                }

                return Task.FromResult<Activity>(null!);
            },
            span => span is not null,
            "the span to be exported");
}
