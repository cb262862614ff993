using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Operations;

[Collection(ServerCollectionDefinition.Name)]
public sealed class OperationsTests(LoopbackServer server)
{
    [Fact]
    public async Task Replay_DryRunCountsAndReplayRequeues()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("replay-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        (await cli.RunAsync("event", "generate", "--count", "3", "--server", "rx")).Succeeded();

        // Replay by jti takes the jti the stream delivered (each stream's copy is signed anew).
        var jtis = (await cli.RunAsync("poll", id, "--server", "rx", "--ack", "--json")).Succeeded().Json["acknowledged"]!.AsArray().Select(j => j!.GetValue<string>()).ToList();
        Assert.Equal(3, jtis.Count);

        var dry = (await cli.RunAsync("replay", id, "--jti", jtis[1], "--dry-run")).Succeeded();
        Assert.Contains("Would send 2 events again", dry.Out, StringComparison.Ordinal);
        Assert.Contains("0 events.", (await cli.RunAsync("poll", id, "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);

        var replayed = (await cli.RunAsync("replay", id, "--from", "1h", "--json")).Succeeded().Json;
        Assert.Equal(3, replayed["count"]!.GetValue<long>());
        var polled = (await cli.RunAsync("poll", id, "--server", "rx", "--ack", "--json")).Succeeded().Json;
        Assert.Equal(jtis, polled["sets"]!.AsObject().Select(p => p.Key));

        Assert.Equal(3, (await cli.RunAsync("replay", id, "--position", "1", "--dry-run", "--json")).Succeeded().Json["count"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("--from", "yesterday")]
    [InlineData("--jti", "a", "--position", "1")]
    public async Task Replay_BadSelector_UsageError(params string[] options)
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        (await cli.RunAsync(["replay", "any-stream", .. options])).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task Replay_UnknownStream_404()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var line = (await cli.RunAsync("replay", "no-such-stream", "--from", "2025-01-01T00:00:00Z")).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_FromAPushToNowhere_ListedInStatus_RetriedAndDiscarded()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var id = (await cli.RunAsync("stream", "create", "--project", "dead-p", "--delivery", "push", "--endpoint", $"http://127.0.0.1:{LoopbackServer.FreePort()}/events",
            "--events", "account-disabled", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        (await cli.RunAsync("event", "publish", "account-disabled", "--subject", "mallory@example.com", "--field", "reason=hijacking", "--project", "dead-p")).Succeeded();

        // The push target refuses connections; with retries capped at a second the entry is soon a dead letter.
        var dead = await DeadLettersAsync(cli, id);
        var jti = Assert.Single(dead)!["jti"]!.GetValue<string>();
        Assert.Contains(jti, (await cli.RunAsync("deadletter", "list", id)).Succeeded().Out, StringComparison.Ordinal);

        var status = (await cli.RunAsync("status", "--project", "dead-p", "--json")).Succeeded().Json.AsArray();
        var row = Assert.Single(status)!;
        Assert.Equal(1, row["dead_letters"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(row["last_error"]?.GetValue<string>()));
        var table = (await cli.RunAsync("status", "--project", "dead-p")).Succeeded().Out;
        Assert.Contains(id, table, StringComparison.Ordinal);
        Assert.Contains("1 stream(s).", table, StringComparison.Ordinal);

        (await cli.RunAsync("deadletter", "discard", id)).FailedWith(ExitCodes.Usage);
        Assert.Equal(1, (await cli.RunAsync("deadletter", "retry", id, "--jti", jti, "--json")).Succeeded().Json["count"]!.GetValue<long>());
        dead = await DeadLettersAsync(cli, id);
        Assert.Equal(jti, Assert.Single(dead)!["jti"]!.GetValue<string>());

        Assert.Equal(1, (await cli.RunAsync("deadletter", "discard", id, "--all", "--json")).Succeeded().Json["count"]!.GetValue<long>());
        Assert.Empty((await cli.RunAsync("deadletter", "list", id, "--json")).Succeeded().Json.AsArray());
    }

    [Fact]
    public async Task Status_ShowsBacklogAndOldestPending()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var id = (await cli.RunAsync("stream", "create", "--project", "backlog-p", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        (await cli.RunAsync("event", "generate", "--count", "4", "--project", "backlog-p")).Succeeded();

        var row = Assert.Single((await cli.RunAsync("status", "--project", "backlog-p", "--json")).Succeeded().Json.AsArray())!;
        Assert.Equal(id, row["stream_id"]!.GetValue<string>());
        Assert.Equal(4, row["pending"]!.GetValue<long>());
        Assert.NotNull(row["oldest_pending_at"]);
        var table = (await cli.RunAsync("status", "--project", "backlog-p")).Succeeded().Out;
        Assert.Contains("│ 4 ", table, StringComparison.Ordinal);
        Assert.Contains("enabled", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRotate_NewActiveKeyOldRetired()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var before = (await cli.RunAsync("key", "list", "--json")).Succeeded().Json.AsArray();
        var active = before.Single(k => k!["state"]!.GetValue<string>() == "active")!["kid"]!.GetValue<string>();

        var rotated = (await cli.RunAsync("key", "rotate", "--alg", "RS256", "--now", "--json")).Succeeded().Json;
        Assert.Equal("RS256", rotated["alg"]!.GetValue<string>());
        Assert.NotEqual(active, rotated["kid"]!.GetValue<string>());

        var table = (await cli.RunAsync("key", "list")).Succeeded().Out;
        Assert.Contains(active, table, StringComparison.Ordinal);
        Assert.Contains("retired", table, StringComparison.Ordinal);
        (await cli.RunAsync("key", "rotate", "--alg", "HS256")).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task KeyRotate_WithoutNow_PublishesTheNextKeyAndKeepsSigningWithTheActiveOne()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var active = (await cli.RunAsync("key", "list", "--json")).Succeeded().Json.AsArray()
            .Single(k => k!["state"]!.GetValue<string>() == "active")!["kid"]!.GetValue<string>();

        var rotated = await cli.RunAsync("key", "rotate");

        var said = rotated.Succeeded().Out;
        Assert.Contains("signs from", said, StringComparison.Ordinal);
        var keys = (await cli.RunAsync("key", "list", "--json")).Succeeded().Json.AsArray();
        Assert.Equal(active, keys.Single(k => k!["state"]!.GetValue<string>() == "active")!["kid"]!.GetValue<string>());
        var next = keys.Single(k => k!["state"]!.GetValue<string>() == "next")!;
        Assert.Contains(next["kid"]!.GetValue<string>(), said, StringComparison.Ordinal);
        Assert.Contains("next", (await cli.RunAsync("key", "list")).Succeeded().Out, StringComparison.Ordinal);
    }

    /// <summary>The stream's dead letters, once there are any.</summary>
    private static Task<JsonArray> DeadLettersAsync(CliSession cli, string streamId) =>
        Eventually.GetAsync(
            async () => (await cli.RunAsync("deadletter", "list", streamId, "--json")).Succeeded().Json.AsArray(),
            dead => dead.Count > 0,
            $"a dead letter on stream {streamId}");
}
