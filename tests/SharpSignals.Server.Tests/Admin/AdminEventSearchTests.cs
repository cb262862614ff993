using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Admin;

/// <summary><c>GET /admin/events</c>: the admin's event search, over HTTP.</summary>
public sealed class AdminEventSearchTests : IAsyncLifetime
{
    private readonly SsfTestServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Search_FiltersByProjectTxnAndType_NewestFirst_APageAtATime()
    {
        var withTxn = SsfTestServer.SessionRevoked("a@example.com").Replace("{\"events\"", "{\"txn\":\"t-7\",\"events\"", StringComparison.Ordinal);
        var first = await SsfTestServer.PublishAsync(_server.Admin, withTxn, "search-a");
        var second = await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("b@example.com"), "search-a");
        var third = await SsfTestServer.PublishAsync(_server.Admin, withTxn, "search-b");
        var credential = await SsfTestServer.PublishAsync(
            _server.Admin,
            """{"events":{"https://schemas.openid.net/secevent/caep/event-type/credential-change":{"credential_type":"password","change_type":"update"}},"sub_id":{"format":"email","email":"c@example.com"}}""",
            "search-a");

        Assert.Equal([credential, second, first], Jtis(await SearchAsync("project=search-a")));
        Assert.Equal([third, first], Jtis(await SearchAsync("txn=t-7")));
        Assert.Equal([credential], Jtis(await SearchAsync($"event_type={Uri.EscapeDataString(EventTypes.Caep.CredentialChange)}")));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Empty(Jtis(await SearchAsync($"project=search-a&since={now + 60}")));
        Assert.Equal(3, Jtis(await SearchAsync($"project=search-a&since={now - 60}&until={now + 60}")).Length);

        var page = await SearchAsync("project=search-a&limit=2");
        Assert.Equal([credential, second], Jtis(page));
        var next = (long)page["next_before"]!;
        var last = await SearchAsync($"project=search-a&limit=2&before={next}");
        Assert.Equal([first], Jtis(last));
        Assert.Null(last["next_before"]);

        var listed = (await SearchAsync("txn=t-7&project=search-b"))["events"]![0]!;
        Assert.Equal(("search-b", "t-7"), ((string?)listed["project"], (string?)listed["txn"]));
        Assert.Equal(EventTypes.Caep.SessionRevoked, (string?)listed["event_types"]![0]);
        Assert.True((long)listed["position"]! > 0);
        Assert.Null(listed["token"]);
        Assert.Null(listed["deliveries"]);
    }

    [Fact]
    public async Task Search_BySubject_FindsThePublishedEventsAboutIt_ByValueOrFormatAndValue()
    {
        var alice = await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("alice@example.com"), "search-s");
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("bob@example.com"), "search-s");
        var again = await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("alice@example.com"), "search-s");

        Assert.Equal([again, alice], Jtis(await SearchAsync("subject=alice%40example.com")));
        Assert.Equal([again, alice], Jtis(await SearchAsync("subject=email%3Aalice%40example.com&project=search-s")));
        Assert.Equal([again], Jtis(await SearchAsync("subject=alice%40example.com&limit=1")));
        Assert.Empty(Jtis(await SearchAsync("subject=phone_number%3Aalice%40example.com")));
        Assert.Empty(Jtis(await SearchAsync("subject=alice%40example.com&project=elsewhere")));
    }

    [Theory]
    [InlineData("type=x", "Unknown parameter 'type'")]
    [InlineData("limit=0", "limit must be a whole number from 1 to 500")]
    [InlineData("limit=501", "limit must be a whole number from 1 to 500")]
    [InlineData("since=yesterday", "since must be a time in seconds since 1970")]
    [InlineData("until=-5", "until must be a time in seconds since 1970")]
    [InlineData("before=0", "before must be a position")]
    public async Task Search_BadParameter_Is400NamingIt(string query, string expected)
    {
        using var response = await _server.Admin.GetAsync($"/admin/events?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_NeedsTheAdminScope()
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        using var _ = client;

        using var response = await client.GetAsync("/admin/events");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<JsonObject> SearchAsync(string query) =>
        (await _server.Admin.GetFromJsonAsync<JsonObject>($"/admin/events?{query}"))!;

    private static string[] Jtis(JsonObject page) => [.. page["events"]!.AsArray().Select(e => (string)e!["jti"]!)];
}
