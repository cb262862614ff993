using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Events;

[Collection(ServerCollectionDefinition.Name)]
public sealed class EventCommandsTests(LoopbackServer server)
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    [Fact]
    public async Task Publish_CatalogNameAndFields_StoredAsGiven()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var jti = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:alice@example.com",
            "--field", "initiating_entity=admin", "--field", "reason_admin.en=Stolen laptop", "--field", "event_timestamp=1700000000",
            "--txn", "t-1", "--project", "publish-p")).Succeeded().Out.Trim();

        var stored = await LoopbackServer.GetJsonAsync(server.Admin, $"events/{jti}");
        Assert.Equal("publish-p", stored["project"]!.GetValue<string>());
        Assert.Equal("t-1", stored["txn"]!.GetValue<string>());
        var payload = stored["claims"]!["events"]![SessionRevoked]!;
        Assert.Equal("admin", payload["initiating_entity"]!.GetValue<string>());
        Assert.Equal("Stolen laptop", payload["reason_admin"]!["en"]!.GetValue<string>());
        Assert.Equal(1700000000, payload["event_timestamp"]!.GetValue<long>());
        Assert.Equal("alice@example.com", stored["claims"]!["sub_id"]!["email"]!.GetValue<string>());

        var shown = (await cli.RunAsync("event", "get", jti)).Succeeded().Out;
        Assert.Contains("session-revoked", shown, StringComparison.Ordinal);
        Assert.Contains("email:alice@example.com", shown, StringComparison.Ordinal);
        Assert.Equal(jti, (await cli.RunAsync("event", "get", jti, "--json")).Succeeded().Json["jti"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("credential-change --subject alice@example.com --field credential_type=password", "change_type")]
    [InlineData("session-revoked --subject alice@example.com --field initiating_entity=robot", "initiating_entity")]
    [InlineData("prov:create:full --subject email:alice@example.com --data {\"data\":{\"userName\":\"a\"}}", "scim")]
    [InlineData("session-revoked", "sub_id")]
    [InlineData("session-revokd --subject alice@example.com", "unknown event type")]
    [InlineData("session-revoked --subject alice@example.com --data [1]", "--data")]
    public async Task Publish_InvalidEvent_RefusedBeforeSending(string args, string named)
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var before = await LoopbackServer.GetJsonAsync(server.Admin, "admin/metrics");
        var line = (await cli.RunAsync(["event", "publish", .. args.Split(' ')])).FailedWith(ExitCodes.Usage);
        Assert.Contains(named, line, StringComparison.Ordinal);
        var after = await LoopbackServer.GetJsonAsync(server.Admin, "admin/metrics");
        Assert.Equal(before["store_writes"]!.GetValue<long>(), after["store_writes"]!.GetValue<long>());
    }

    [Fact]
    public async Task Publish_ScimEvent_WithScimSubject()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var jti = (await cli.RunAsync("event", "publish", "prov:create:full", "--subject", "scim:/Users/42", "--field", "data.userName=alice")).Succeeded().Out.Trim();
        var stored = await LoopbackServer.GetJsonAsync(server.Admin, $"events/{jti}");
        Assert.Equal("alice", stored["claims"]!["events"]!["urn:ietf:params:scim:event:prov:create:full"]!["data"]!["userName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generate_PublishesValidEventsAtRate_AndReceiverGetsThem()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("generate-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "credential-change", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();

        var human = (await cli.RunAsync("event", "generate", "--type", "credential-change", "--count", "3", "--rate", "50", "--server", "rx")).Succeeded().Out;
        Assert.Contains("Published 3 credential-change events", human, StringComparison.Ordinal);
        var json = (await cli.RunAsync("event", "generate", "--type", "credential-change", "--count", "2", "--server", "rx", "--json")).Succeeded().Json;
        Assert.Equal(2, json["count"]!.GetValue<int>());

        // Each stream gets its own signed copy (republish): new jtis, the generated subjects.
        var polled = (await cli.RunAsync("poll", id, "--server", "rx", "--json")).Succeeded().Json;
        var subjects = new List<string>();
        foreach (var (_, token) in polled["sets"]!.AsObject())
        {
            var decoded = (await cli.RunAsync("decode", token!.GetValue<string>(), "--json")).Succeeded().Json;
            subjects.Add(decoded["claims"]!["sub_id"]!["email"]!.GetValue<string>());
        }

        Assert.Equal(["user1@example.com", "user2@example.com", "user3@example.com", "user1@example.com", "user2@example.com"], subjects);
    }

    [Fact]
    public async Task Publish_ShowsHowManyStreamsTheEventWasRoutedTo()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("count-p");
        (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked")).Succeeded();
        (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked")).Succeeded();

        var routed = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:bob@example.com", "--server", "rx")).Succeeded();
        var unrouted = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:bob@example.com", "--project", "nowhere-p")).Succeeded();
        var json = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:bob@example.com", "--server", "rx", "--json")).Succeeded().Json;

        // stdout stays the jti alone, for scripts.
        Assert.Equal(routed.Out.Trim(), (await LoopbackServer.GetJsonAsync(server.Admin, $"events/{routed.Out.Trim()}"))["jti"]!.GetValue<string>());
        Assert.Contains("routed to 2 streams", routed.Error, StringComparison.Ordinal);
        Assert.Contains("warning: routed to no stream", unrouted.Error, StringComparison.Ordinal);
        Assert.Equal(2, json["streams"]!.GetValue<int>());
    }

    [Fact]
    public async Task EventGet_ShowsWhereTheEventWent()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("get-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        var routed = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:bob@example.com", "--server", "rx")).Succeeded().Out.Trim();
        var unrouted = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:bob@example.com", "--project", "nowhere-p")).Succeeded().Out.Trim();

        var shown = (await cli.RunAsync("event", "get", routed, "--server", "rx")).Succeeded().Out;
        var json = (await cli.RunAsync("event", "get", routed, "--server", "rx", "--json")).Succeeded().Json;

        Assert.Contains(id, shown, StringComparison.Ordinal);
        Assert.Contains("pending", shown, StringComparison.Ordinal);
        Assert.Equal(id, json["deliveries"]![0]!["stream_id"]!.GetValue<string>());
        Assert.Contains("Routed to no stream.", (await cli.RunAsync("event", "get", unrouted)).Succeeded().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventGet_ShowsEachDeliveryAttempt()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("attempts-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        var jti = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "email:carol@example.com", "--server", "rx")).Succeeded().Out.Trim();
        (await cli.RunAsync("poll", id, "--server", "rx", "--ack")).Succeeded();

        var shown = (await cli.RunAsync("event", "get", jti, "--server", "rx")).Succeeded().Out;
        var json = (await cli.RunAsync("event", "get", jti, "--server", "rx", "--json")).Succeeded().Json;

        // A poll acknowledgement is the attempt that delivered the entry: its time, no status.
        Assert.Contains($"attempts on {id}:", shown, StringComparison.Ordinal);
        Assert.Contains("answer", shown, StringComparison.Ordinal);
        var delivery = json["deliveries"]![0]!;
        Assert.Equal(("delivered", 1), (delivery["state"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>()));
        var attempt = Assert.Single(delivery["attempt_log"]!.AsArray())!;
        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(attempt["at"]!.GetValue<double>() * 1000));
        Assert.Contains(at.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventSearch_FindsByProjectTypeAndTxn_APageAtATime()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        async Task<string> PublishAsync(string txn, params string[] typeAndFields) =>
            (await cli.RunAsync(["event", "publish", .. typeAndFields, "--subject", "email:s@example.com", "--txn", txn, "--project", "search-p"])).Succeeded().Out.Trim();
        var first = await PublishAsync("s-1", "session-revoked");
        var second = await PublishAsync("s-2", "credential-change", "--field", "credential_type=password", "--field", "change_type=update");
        var third = await PublishAsync("s-3", "session-revoked");

        var shown = (await cli.RunAsync("event", "search", "--project", "search-p", "--type", "session-revoked", "--since", "1h")).Succeeded().Out;
        var page = (await cli.RunAsync("event", "search", "--project", "search-p", "--limit", "2", "--json")).Succeeded().Json;
        var rest = (await cli.RunAsync("event", "search", "--project", "search-p", "--limit", "2", "--before", page["next_before"]!.ToString(), "--json")).Succeeded().Json;

        Assert.Contains(first, shown, StringComparison.Ordinal);
        Assert.Contains(third, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(second, shown, StringComparison.Ordinal);
        Assert.Contains("2 event(s).", shown, StringComparison.Ordinal);
        Assert.Equal([third, second], page["events"]!.AsArray().Select(e => e!["jti"]!.GetValue<string>()));
        Assert.Equal([first], rest["events"]!.AsArray().Select(e => e!["jti"]!.GetValue<string>()));
        Assert.Contains("more with --before", (await cli.RunAsync("event", "search", "--project", "search-p", "--limit", "1")).Succeeded().Out, StringComparison.Ordinal);
        Assert.Equal(second, (await cli.RunAsync("event", "search", "--txn", "s-2", "--json")).Succeeded().Json["events"]![0]!["jti"]!.GetValue<string>());
        (await cli.RunAsync("event", "search", "--since", "last tuesday")).FailedWith(ExitCodes.Usage);
        (await cli.RunAsync("event", "search", "--type", "no-such-type")).FailedWith(ExitCodes.Usage);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--rate", "-1")]
    [InlineData("--type", "nonsense")]
    public async Task Generate_BadInput_UsageError(string option, string value)
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        (await cli.RunAsync("event", "generate", option, value)).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task EventGet_Unknown_404()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var line = (await cli.RunAsync("event", "get", "no-such-jti")).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTypes_ListsShortNames()
    {
        using var cli = new CliSession();
        var types = (await cli.RunAsync("event", "types", "--json")).Succeeded().Json.AsArray();
        Assert.Contains(types, t => t!["name"]!.GetValue<string>() == "prov:create:full");
        Assert.Contains(types, t => t!["name"]!.GetValue<string>() == "account-disabled" && t["family"]!.GetValue<string>() == "Risc");
    }

    [Fact]
    public async Task Decode_WithServerJwks_VerifiesAndTamperingFails()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var jti = (await cli.RunAsync("event", "publish", "session-revoked", "--subject", "bob@example.com")).Succeeded().Out.Trim();
        var token = (await LoopbackServer.GetJsonAsync(server.Admin, $"events/{jti}"))["token"]!.GetValue<string>();

        var verified = (await cli.RunAsync("decode", token, "--jwks", server.Url + "/jwks.json")).Succeeded().Out;
        Assert.Contains("\"typ\": \"secevent+jwt\"", verified, StringComparison.Ordinal);
        Assert.Contains(jti, verified, StringComparison.Ordinal);
        Assert.Contains("signature: verified with key", verified, StringComparison.Ordinal);

        var json = (await cli.RunWithInputAsync(token, "decode", "-", "--json")).Succeeded().Json;
        Assert.Equal(jti, json["claims"]!["jti"]!.GetValue<string>());
        Assert.Null(json["signature"]);

        var parts = token.Split('.');
        var other = (await LoopbackServer.GetJsonAsync(server.Admin, $"events/{(await cli.RunAsync("event", "publish", "session-revoked", "--subject", "eve@example.com")).Out.Trim()}"))["token"]!.GetValue<string>();
        var forged = $"{parts[0]}.{other.Split('.')[1]}.{parts[2]}";
        var refused = await cli.RunAsync("decode", forged, "--jwks", server.Url + "/jwks.json");
        refused.FailedWith(ExitCodes.Failure);
        Assert.Contains("signature: NOT verified", refused.Out, StringComparison.Ordinal);

        (await cli.RunAsync("decode", "not-a-token")).FailedWith(ExitCodes.Usage);
        (await cli.RunAsync("decode", token, "--jwks", $"http://127.0.0.1:{LoopbackServer.FreePort()}/jwks.json")).FailedWith(ExitCodes.Unreachable);
    }
}
