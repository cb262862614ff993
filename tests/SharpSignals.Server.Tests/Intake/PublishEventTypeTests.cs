using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Intake;

/// <summary>
/// <c>POST /events</c> (docs/GUIDE.md, "Publishing events"): an event type outside the catalog and the
/// operator's custom types is refused with the type it probably meant, a catalog short name is stored
/// as its URI, custom types (global and per project) are routed to the streams asking for them, and
/// the answer says how many streams the event went to.
/// </summary>
public sealed class PublishEventTypeTests : IAsyncLifetime
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    private const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    private const string GlobalType = "urn:example:event:badge-revoked";
    private const string ProjectType = "https://events.example.com/p1/door-opened";

    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Events:CustomTypes:0"] = GlobalType,
            ["SharpSignals:Events:Projects:p1:CustomTypes:0"] = ProjectType,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> Misspelt() => new()
    {
        { SessionRevoked.Replace("revoked", "revokd", StringComparison.Ordinal), SessionRevoked },
        { SessionRevoked.Replace("https", "http", StringComparison.Ordinal), SessionRevoked },
        { "https://schemas.openid.net/secevent/caep/event-type/account-disabled", AccountDisabled },
        { "sesion-revoked", SessionRevoked },
        { "urn:example:event:badge-revoke", GlobalType },
        { "https://events.example.com/p1/door-open", ProjectType },
    };

    [Theory]
    [MemberData(nameof(Misspelt))]
    public async Task Publish_MisspeltEventType_Is400NamingItAndTheTypeItProbablyMeant(string type, string meant)
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        using var _ = client;
        var streamId = await PollStreamAsync(client);

        using var response = await PublishAsync(client, type);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"];
        Assert.Contains($"unknown event type '{type}' (did you mean '{meant}'?)", detail, StringComparison.Ordinal);
        Assert.Empty((await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true }))["sets"]!.AsObject());
    }

    [Theory]
    [InlineData("https://events.example.com/nothing-like-it")]
    [InlineData("revoked")]
    public async Task Publish_UnknownEventTypeNearNothing_Is400NamingItWithoutAGuess(string type)
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        using var _ = client;

        using var response = await PublishAsync(client, type);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"];
        Assert.Contains($"unknown event type '{type}':", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_ShortName_IsStoredAndRoutedAsTheFullUri()
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        using var _ = client;
        var streamId = await PollStreamAsync(client, SessionRevoked);

        using var response = await PublishAsync(client, "session-revoked");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, (int)answer["streams"]!);
        var stored = await client.GetFromJsonAsync<JsonObject>($"/events/{answer["jti"]}");
        Assert.Equal([SessionRevoked], stored!["event_types"]!.AsArray().Select(t => (string?)t));
        Assert.Equal([SessionRevoked], stored["claims"]!["events"]!.AsObject().Select(e => e.Key));
        var set = Assert.Single((await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true }))["sets"]!.AsObject());
        var validation = await _server.ValidateAsync(set.Value!.GetValue<string>());
        Assert.Equal(SessionRevoked, validation.Set!.Event.EventType);
    }

    [Fact]
    public async Task Publish_CustomTypesDeclaredGloballyAndForTheProject_AreAcceptedAndRoutedToAStreamRequestingThem()
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        var (other, _, _) = await _server.RegisterClientAsync("p2");
        using var _ = client;
        using var __ = other;
        var streamId = await PollStreamAsync(client, GlobalType, ProjectType);
        var elsewhere = await PollStreamAsync(other, GlobalType, ProjectType);

        using var global = await PublishAsync(client, GlobalType);
        using var own = await PublishAsync(client, ProjectType);
        using var notTheirs = await PublishAsync(other, ProjectType);
        using var globalElsewhere = await PublishAsync(other, GlobalType);

        Assert.Equal((HttpStatusCode.Accepted, 1), (global.StatusCode, (int)(await global.Content.ReadFromJsonAsync<JsonObject>())!["streams"]!));
        Assert.Equal((HttpStatusCode.Accepted, 1), (own.StatusCode, (int)(await own.Content.ReadFromJsonAsync<JsonObject>())!["streams"]!));
        Assert.Equal(HttpStatusCode.BadRequest, notTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, globalElsewhere.StatusCode);
        var delivered = new List<string>();
        foreach (var (_, token) in (await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true }))["sets"]!.AsObject())
        {
            var validation = await _server.ValidateAsync(token!.GetValue<string>());
            Assert.True(validation.IsValid, validation.Error?.Description);
            delivered.Add(validation.Set!.Event.EventType);
        }

        Assert.Equal(new[] { GlobalType, ProjectType }.Order(), delivered.Order());
        Assert.Single((await SsfTestServer.PollAsync(other, elsewhere, new { returnImmediately = true }))["sets"]!.AsObject());
        var stream = await client.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={streamId}");
        Assert.Equal([GlobalType, ProjectType], stream!["events_delivered"]!.AsArray().Select(t => (string?)t));
        using var updated = await client.PatchAsJsonAsync("/ssf/streams", new { stream_id = streamId, events_requested = new[] { ProjectType, SessionRevoked } });
        Assert.Equal([ProjectType, SessionRevoked], (await updated.Content.ReadFromJsonAsync<JsonObject>())!["events_delivered"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public async Task Publish_Answer_SaysHowManyStreamsTheEventWasRoutedTo()
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        using var _ = client;
        await PollStreamAsync(client, SessionRevoked);
        await PollStreamAsync(client, SessionRevoked, CredentialChange);
        await PollStreamAsync(client, CredentialChange);

        using var routed = await PublishAsync(client, SessionRevoked);
        using var unrouted = await _server.Admin.PostAsync("/events?project=nowhere", Body(SessionRevoked));

        Assert.Equal(HttpStatusCode.Accepted, routed.StatusCode);
        Assert.Equal(2, (int)(await routed.Content.ReadFromJsonAsync<JsonObject>())!["streams"]!);
        Assert.Equal(HttpStatusCode.Accepted, unrouted.StatusCode);
        Assert.Equal(0, (int)(await unrouted.Content.ReadFromJsonAsync<JsonObject>())!["streams"]!);
    }

    private static Task<HttpResponseMessage> PublishAsync(HttpClient client, string type) => client.PostAsync("/events", Body(type));

    /// <summary>An event of <paramref name="type"/> about alice; the payload suits session-revoked and any custom type.</summary>
    private static StringContent Body(string type) => new(
        new JsonObject
        {
            ["events"] = new JsonObject { [type] = new JsonObject { ["initiating_entity"] = "admin" } },
            ["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = "alice@example.com" },
        }.ToJsonString(),
        Encoding.UTF8,
        "application/json");

    private static async Task<string> PollStreamAsync(HttpClient client, params string[] types) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, types.Length == 0
            ? new { delivery = new { method = "urn:ietf:rfc:8936" } }
            : (object)new { delivery = new { method = "urn:ietf:rfc:8936" }, events_requested = types }))["stream_id"]!;
}
