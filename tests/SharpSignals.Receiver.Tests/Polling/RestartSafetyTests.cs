using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Polling;

/// <summary>
/// Poll mode across a crash: the application is killed with SIGKILL after it received a SET and while
/// its handler runs. Nothing was acknowledged, so the transmitter sends the SET again after the
/// restart, the handler runs to the end, and only then is the SET acknowledged.
/// </summary>
public sealed class RestartSafetyTests
{
    [Fact]
    public async Task KilledBetweenReceiptAndHandling_HandledAfterRestartAndOnlyThenAcknowledged()
    {
        await using var server = LocalTransmitter.Start();
        using var work = new TemporaryDirectory();
        Directory.CreateDirectory(work.Path);
        var journal = work.File("journal.log");
        var block = work.File("block");
        File.WriteAllText(block, "handlers wait while this file exists");
        string[] arguments =
        [
            "--urls", "http://127.0.0.1:0",
            $"--SharedSignals:Issuer={server.Issuer}",
            $"--SharedSignals:AuthorizationHeader={LocalTransmitter.AdminHeader(server)}",
            "--SharedSignals:Delivery=Poll",
            "--SharedSignals:Events:0=session-revoked",
            "--SharedSignals:PollWaitSeconds=2",
            "--SharedSignals:MaxRetryDelaySeconds=1",
            "--SharedSignals:AllowInsecureHttp=true",
            $"--SharedSignals:StateDirectory={work.File("state")}",
            $"--Journal={journal}",
            $"--BlockFile={block}",
            "--Logging:LogLevel:Default=Warning",
        ];

        string streamId;
        await using (var first = ReceiverProcess.Start(work.Path, arguments))
        {
            await Eventually.TrueAsync(async () => (await LocalTransmitter.StreamsAsync(server)).Count == 1, "the stream to be created" + first.RecentOutput);
            streamId = (await LocalTransmitter.StreamsAsync(server))[0].GetProperty("stream_id").GetString()!;
            await SsfTestServer.PublishAsync(server.Admin, SsfTestServer.SessionRevoked());
            await Eventually.TrueAsync(() => Lines(journal).Any(l => l.StartsWith("received ", StringComparison.Ordinal)), "the handler to start: " + first.RecentOutput);

            await first.KillAsync();
        }

        var received = Lines(journal).Single();
        var jti = received["received ".Length..];
        Assert.DoesNotContain(Lines(journal), l => l.StartsWith("handled ", StringComparison.Ordinal));
        Assert.True(await LocalTransmitter.PendingAsync(server, streamId) >= 1, "the SET was acknowledged before its handler finished");
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, streamId));

        File.Delete(block);
        await using var second = ReceiverProcess.Start(work.Path, arguments);
        await Eventually.TrueAsync(() => Lines(journal).Contains($"handled {jti}"), "the SET to be handled after the restart: " + second.RecentOutput);
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, streamId) == 0, "the acknowledgement after handling");

        // The same stream, the same SET (same jti) handled to the end once, nothing refused.
        Assert.Single(await LocalTransmitter.StreamsAsync(server));
        Assert.Equal([received, received, $"handled {jti}"], Lines(journal));
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, streamId));
    }

    private static List<string> Lines(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0)] : [];
}
