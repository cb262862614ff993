using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Streams;

/// <summary>
/// A stream that cannot be set up fails visibly: the health check says why, a refusal is logged as an
/// error and retried ever more slowly, and once the transmitter is fixed the check turns healthy when
/// the verification event arrives. The transmitter is a real server behind a loopback gate that can
/// refuse stream creation.
/// </summary>
public sealed class SetupFailureTests
{
    [Fact]
    public async Task Start_TransmitterRefusesStreamCreation_UnhealthyErrorLoggedAndRetriesSlowDown()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gatePort = ReceiverApp.FreePort();
        await using var server = LocalTransmitter.Start(TransmitterGate.IssuerSetting(gatePort));
        await using var gate = await TransmitterGate.StartAsync(gatePort, server.Issuer, clock);
        gate.RefuseStreamCreationWith = 403;
        using var state = new TemporaryDirectory();
        var logs = new RecordingLoggerProvider();
        await using var app = await StartBehindAsync(gate, server, state.Path, ReceiverDeliveryMethod.Poll, logs, clock);

        // Each refusal is followed by a longer wait, and the next attempt comes no sooner (the clock moves only here).
        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var failed = attempt - 1;
            await Eventually.TrueAsync(
                () =>
                {
                    if (app.Status.SetupFailures > failed)
                    {
                        return true;
                    }

                    if (failed > 0)
                    {
                        clock.Advance(TimeSpan.FromSeconds(1));
                    }

                    return false;
                },
                $"refusal {attempt}");
            Assert.True(app.Status.SetupRefused);
            delays.Add(app.Status.SetupRetryDelay!.Value);
        }

        Assert.All(delays.Zip(delays.Skip(1)), pair => Assert.True(pair.Second > pair.First, string.Join(", ", delays)));
        var creations = gate.StreamCreations.ToList();
        Assert.Equal(4, creations.Count);
        for (var i = 1; i < creations.Count; i++)
        {
            Assert.True(creations[i] - creations[i - 1] >= delays[i - 1], $"attempt {i + 1} came {creations[i] - creations[i - 1]} after the one before, its delay was {delays[i - 1]}");
        }

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var check = report.Entries[SharedSignalsHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains("refused", check.Description, StringComparison.Ordinal);
        Assert.Contains("create the stream", check.Description, StringComparison.Ordinal);
        Assert.Contains("HTTP 403", check.Description, StringComparison.Ordinal);

        var errors = logs.Entries.Where(e => e.Level == LogLevel.Error && e.Category == typeof(StreamSetupService).FullName).ToList();
        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.Contains("HTTP 403", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Warning && e.Category == typeof(StreamSetupService).FullName);
    }

    [Fact]
    public async Task Start_MetadataNamesAnotherIssuer_UnhealthyNamingBothAndErrorLogged()
    {
        // The server keeps its own issuer, so its metadata reached through the gate names another than the receiver's.
        await using var server = LocalTransmitter.Start();
        await using var gate = await TransmitterGate.StartAsync(ReceiverApp.FreePort(), server.Issuer);
        using var state = new TemporaryDirectory();
        var logs = new RecordingLoggerProvider();
        await using var app = await StartBehindAsync(gate, server, state.Path, ReceiverDeliveryMethod.Poll, logs);

        await Eventually.TrueAsync(() => app.Status.SetupFailures > 0, "the failed discovery");
        var check = (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[SharedSignalsHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains($"names the issuer '{server.Issuer}', not '{gate.Url}'", check.Description, StringComparison.Ordinal);
        Assert.True(app.Status.SetupRefused);
        Assert.True(app.Status.SetupRetryDelay >= TimeSpan.FromSeconds(4));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains($"not '{gate.Url}'", StringComparison.Ordinal));
        Assert.Empty(gate.StreamCreations);
    }

    [Fact]
    public async Task Start_TransmitterFixedAfterRefusing_HealthyOnceVerified()
    {
        var gatePort = ReceiverApp.FreePort();
        await using var server = LocalTransmitter.Start(TransmitterGate.IssuerSetting(gatePort));
        await using var gate = await TransmitterGate.StartAsync(gatePort, server.Issuer);
        gate.RefuseStreamCreationWith = 401;
        using var state = new TemporaryDirectory();
        // Refusals retried every second at most (ReceiverApp's setting), so that the fix is seen at once.
        await using var app = await StartBehindAsync(gate, server, state.Path, ReceiverDeliveryMethod.Push, maxRefusedRetryDelaySeconds: 1);
        var health = app.Services.GetRequiredService<HealthCheckService>();

        await Eventually.TrueAsync(() => app.Status.SetupFailures > 0, "the refused stream creation");
        var down = (await health.CheckHealthAsync()).Entries[SharedSignalsHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("HTTP 401", down.Description, StringComparison.Ordinal);
        Assert.False(app.Status.IsUp);

        gate.RefuseStreamCreationWith = null;
        await app.WaitVerifiedAsync();
        var up = (await health.CheckHealthAsync()).Entries[SharedSignalsHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Contains("verified", up.Description, StringComparison.Ordinal);
        Assert.Equal(app.Status.StreamId, up.Data["stream_id"]);
        Assert.Equal(0, app.Status.SetupFailures);
    }

    [Fact]
    public async Task Start_TransmitterCannotReachThePushEndpoint_UnhealthyWaitingForTheVerification()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.StartAsync(
            state.Path,
            o =>
            {
                o.Issuer = server.Issuer;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
                o.Delivery = ReceiverDeliveryMethod.Push;

                // A loopback port nobody listens on: the stream is created, its pushes go nowhere.
                o.PushEndpointUrl = $"http://127.0.0.1:{ReceiverApp.FreePort()}/ssf/events";
            },
            build: b => b.Services.AddHealthChecks().AddSharedSignalsReceiverCheck());

        await Eventually.TrueAsync(() => app.Status.Description.Contains("waiting for the verification event", StringComparison.Ordinal), "the verification to be asked for");
        var check = (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[SharedSignalsHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains($"Stream {app.Status.StreamId} is set up; waiting for the verification event", check.Description, StringComparison.Ordinal);
        Assert.True(app.Status.IsReady);
        Assert.False(app.Status.IsUp);
    }

    /// <summary>A receiver whose transmitter is <paramref name="gate"/>, with the server's admin token and the health check.</summary>
    private static Task<ReceiverApp> StartBehindAsync(
        TransmitterGate gate, SsfTestServer server, string stateDirectory, ReceiverDeliveryMethod delivery, RecordingLoggerProvider? logs = null, TimeProvider? clock = null, int maxRefusedRetryDelaySeconds = 600) =>
        ReceiverApp.StartAsync(
            stateDirectory,
            o =>
            {
                o.Issuer = gate.Url;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
                o.Delivery = delivery;
                o.MaxRefusedRetryDelaySeconds = maxRefusedRetryDelaySeconds;
            },
            build: b =>
            {
                if (logs is not null)
                {
                    b.Logging.AddProvider(logs);
                }

                if (clock is not null)
                {
                    b.Services.AddSingleton(clock);
                }

                b.Services.AddHealthChecks().AddSharedSignalsReceiverCheck();
            });
}
