using System.Net;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Streams;

/// <summary><c>ssf stream create --join</c>: the server the tool talks to joins another SharpSignals server as its receiver.</summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class StreamJoinTests(LoopbackServer server) : IAsyncLifetime
{
    private readonly LoopbackServer _remote = new();

    public Task InitializeAsync() => _remote.InitializeAsync();

    public Task DisposeAsync() => _remote.DisposeAsync();

    [Fact]
    public async Task StreamCreate_Join_CreatesTheStreamAtTheRemoteAndDeleteRemovesItThere()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "remote", _remote.Url)).Succeeded();
        (await cli.RunAsync("login", "--token-file", _remote.AdminTokenFile, "--server", "remote")).Succeeded();
        var iat = (await cli.RunAsync("iat", "create", "--project", "joined", "--server", "remote")).Succeeded().Out.Trim();
        var client = (await cli.RunAsync("client", "register", "--iat", iat, "--server", "remote", "--json")).Succeeded().Json;
        await cli.LoginAdminAsync(server);

        var joined = (await cli.RunAsync("stream", "create", "--server", "local", "--join", _remote.Url,
            "--source-client-id", client["client_id"]!.GetValue<string>(), "--source-client-secret", client["client_secret"]!.GetValue<string>(),
            "--events", "session-revoked", "--json")).Succeeded().Json;

        var localId = joined["stream_id"]!.GetValue<string>();
        var remoteId = joined["source"]!["stream_id"]!.GetValue<string>();
        var atRemote = await LoopbackServer.GetJsonAsync(_remote.Admin, $"ssf/streams?stream_id={remoteId}");
        Assert.Equal($"{server.Url}/ssf/push/{localId}", atRemote["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Null(joined["source"]!["client_secret"]);

        (await cli.RunAsync("stream", "delete", localId, "--server", "local")).Succeeded();
        Assert.Equal(HttpStatusCode.NotFound, await LoopbackServer.StatusOfAsync(_remote.Admin, $"ssf/streams?stream_id={remoteId}"));
    }
}
