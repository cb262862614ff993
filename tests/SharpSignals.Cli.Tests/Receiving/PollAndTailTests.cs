using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Receiving;

[Collection(ServerCollectionDefinition.Name)]
public sealed class PollAndTailTests(LoopbackServer server)
{
    [Fact]
    public async Task Poll_WithoutAck_KeepsEvents_WithAckRemovesThem()
    {
        using var cli = new CliSession();
        var id = await PollStreamAsync(cli, "poll-p");
        (await cli.RunAsync("event", "generate", "--count", "3", "--server", "rx")).Succeeded();

        var first = (await cli.RunAsync("poll", id, "--server", "rx", "--max", "2")).Succeeded().Out;
        Assert.Contains("2 events (more available).", first, StringComparison.Ordinal);
        Assert.Contains("user1@example.com", first, StringComparison.Ordinal);

        var acked = (await cli.RunAsync("poll", id, "--server", "rx", "--ack", "--json")).Succeeded().Json;
        Assert.Equal(3, acked["sets"]!.AsObject().Count);
        Assert.Equal(3, acked["acknowledged"]!.AsArray().Count);

        Assert.Contains("0 events.", (await cli.RunAsync("poll", id, "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poll_UnknownStream_404()
    {
        using var cli = new CliSession();
        await PollStreamAsync(cli, "poll-404-p");
        var line = (await cli.RunAsync("poll", "nope", "--server", "rx")).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_Count_PrintsEachEventAndAcknowledges()
    {
        using var cli = new CliSession();
        var id = await PollStreamAsync(cli, "tail-p");
        (await cli.RunAsync("event", "generate", "--count", "3", "--server", "rx")).Succeeded();

        var tail = (await cli.RunAsync("tail", id, "--count", "3", "--server", "rx")).Succeeded();
        var lines = tail.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Contains("session-revoked", l, StringComparison.Ordinal));
        Assert.Contains("stopped after 3 events, all acknowledged", tail.Error, StringComparison.Ordinal);

        Assert.Contains("0 events.", (await cli.RunAsync("poll", id, "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_Cancelled_StopsCleanlyAndAcknowledgesWhatItPrinted()
    {
        using var cli = new CliSession();
        var id = await PollStreamAsync(cli, "tail-cancel-p");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = new LockedWriter();
        var error = new LockedWriter();
        var tail = cli.RunAsync(output, error, null, stop.Token, "tail", id, "--server", "rx", "--json");

        (await cli.RunAsync("event", "generate", "--count", "2", "--server", "rx")).Succeeded();
        await Eventually.TrueAsync(() => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, "tail to print both events", TimeSpan.FromSeconds(25), seen: output.ToString);

        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Success, await tail);
        Assert.Equal("", error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"jti\"", l, StringComparison.Ordinal));

        Assert.Contains("0 events.", (await cli.RunAsync("poll", id, "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongPoll_Cancelled_OneLineAnd130()
    {
        using var cli = new CliSession();
        var id = await PollStreamAsync(cli, "poll-cancel-p");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var result = await cli.RunAsync(null, stop.Token, "poll", id, "--wait", "--server", "rx");
        Assert.Contains("cancelled", result.FailedWith(ExitCodes.Cancelled), StringComparison.Ordinal);
    }

    private async Task<string> PollStreamAsync(CliSession cli, string project)
    {
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync(project);
        return (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
    }
}
