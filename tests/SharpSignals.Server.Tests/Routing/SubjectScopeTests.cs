using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>
/// Issue 17, item 1 (SSF 1.0 §8.1.3): under <c>default_subjects</c> ALL every subject is in scope,
/// removing one (also one never added) stops its events at once, and adding one takes a removal back
/// and narrows nothing; under NONE adding includes and removing excludes. Complex subjects match by
/// the §3.3 rules, and the receiver's latest add or remove of a matching subject decides.
/// </summary>
public sealed class SubjectScopeTests
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string Alice = """{"format":"email","email":"alice@example.com"}""";
    private const string Bob = """{"format":"email","email":"bob@example.com"}""";
    private const string Tenant1 = """{"format":"complex","tenant":{"format":"opaque","id":"t1"}}""";
    private const string AliceInTenant1 = """{"format":"complex","user":{"format":"email","email":"alice@example.com"},"tenant":{"format":"opaque","id":"t1"}}""";
    private const string BobInTenant1 = """{"format":"complex","user":{"format":"email","email":"bob@example.com"},"tenant":{"format":"opaque","id":"t1"}}""";
    private const string BobInTenant2 = """{"format":"complex","user":{"format":"email","email":"bob@example.com"},"tenant":{"format":"opaque","id":"t2"}}""";

    [Fact]
    public async Task AddSubject_UnderAll_NarrowsNothing()
    {
        await using var server = SsfTestServer.StartListening();
        var (client, stream) = await PollStreamAsync(server);

        await ChangeAsync(client, "add", stream, Alice);
        await PublishAboutAsync(client, Alice);
        await PublishAboutAsync(client, Bob);

        Assert.Equal([Key(Alice), Key(Bob)], await PolledSubjectsAsync(server, client, stream));
    }

    [Fact]
    public async Task RemoveSubject_UnderAll_StopsTheEventsOfASubjectNeverAdded_AtOnce()
    {
        await using var server = SsfTestServer.StartListening();
        await using var receiver = await RecordingReceiver.StartAsync();
        var (client, _, _) = await server.RegisterClientAsync();
        var stream = (string)(await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = receiver.Url("/events") },
        }))["stream_id"]!;

        await ChangeAsync(client, "remove", stream, Bob);
        var bob = await PublishAboutAsync(client, Bob);
        var alice = await PublishAboutAsync(client, Alice);

        // The receiver gets Alice's event; Bob's was routed to no stream at all, so none can follow.
        var pushed = await WaitForEventPushAsync(receiver);
        Assert.Equal(Key(Alice), SubjectOf(pushed));
        Assert.Equal([stream], await RoutedToAsync(server, alice));
        Assert.Empty(await RoutedToAsync(server, bob));
    }

    [Fact]
    public async Task AddSubject_UnderAll_BringsARemovedSubjectBack()
    {
        await using var server = SsfTestServer.StartListening();
        var (client, stream) = await PollStreamAsync(server);

        await ChangeAsync(client, "remove", stream, Bob);
        var whileRemoved = await PublishAboutAsync(client, Bob);
        await ChangeAsync(client, "add", stream, Bob);
        var afterwards = await PublishAboutAsync(client, Bob);
        await PublishAboutAsync(client, Alice);

        Assert.Equal([Key(Bob), Key(Alice)], await PolledSubjectsAsync(server, client, stream));
        Assert.Empty(await RoutedToAsync(server, whileRemoved));
        Assert.Equal([stream], await RoutedToAsync(server, afterwards));
    }

    [Fact]
    public async Task Subjects_UnderAll_ComplexSubjectsMatchByTheirMembers_AndTheLatestChangeDecides()
    {
        await using var server = SsfTestServer.StartListening();
        var (client, stream) = await PollStreamAsync(server);

        // Alice in tenant t1 added (which narrows nothing), the whole of t1 removed, then Alice added again.
        await ChangeAsync(client, "add", stream, AliceInTenant1);
        await ChangeAsync(client, "remove", stream, Tenant1);
        await PublishAboutAsync(client, AliceInTenant1);
        await PublishAboutAsync(client, BobInTenant2);
        await ChangeAsync(client, "add", stream, AliceInTenant1);
        await PublishAboutAsync(client, AliceInTenant1);
        await PublishAboutAsync(client, BobInTenant1);

        Assert.Equal([Key(BobInTenant2), Key(AliceInTenant1)], await PolledSubjectsAsync(server, client, stream));
    }

    [Fact]
    public async Task Subjects_UnderNone_AddIncludesAndRemoveExcludes_AlsoAMemberOfAnAddedComplexSubject()
    {
        await using var server = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Streams:DefaultSubjects"] = "NONE" });
        var (client, stream) = await PollStreamAsync(server);

        var beforeAnyAdd = await PublishAboutAsync(client, BobInTenant1);
        await ChangeAsync(client, "add", stream, Tenant1);
        await ChangeAsync(client, "remove", stream, Alice);
        await PublishAboutAsync(client, AliceInTenant1);
        await PublishAboutAsync(client, BobInTenant1);
        await PublishAboutAsync(client, BobInTenant2);

        Assert.Equal([Key(BobInTenant1)], await PolledSubjectsAsync(server, client, stream));
        Assert.Empty(await RoutedToAsync(server, beforeAnyAdd));
    }

    [Fact]
    public async Task Subjects_ReadAtStart_AndByAReloadOfEveryStream_DecideAsBefore_AndAnUnchangedStreamKeepsItsIndex()
    {
        await using var first = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Streams:DefaultSubjects"] = "NONE" });
        var (client, a) = await PollStreamAsync(first);
        var b = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!;
        await ChangeAsync(client, "add", a, Alice);
        await ChangeAsync(client, "add", a, Tenant1);
        await ChangeAsync(client, "remove", a, Bob);
        await ChangeAsync(client, "add", b, Bob);

        // Started again: the catalog builds both indexes from the store's rows as they come.
        await using var server = await first.RestartAsync();
        var catalog = server.Factory.Services.GetRequiredService<StreamCatalog>();
        (client, _, _) = await server.RegisterClientAsync();
        Assert.Equal([a], await RoutedToAsync(server, await PublishAboutAsync(client, Alice)));
        Assert.Equal([b], await RoutedToAsync(server, await PublishAboutAsync(client, BobInTenant1)));
        Assert.Equal([b], await RoutedToAsync(server, await PublishAboutAsync(client, BobInTenant2)));
        Assert.Empty(await RoutedToAsync(server, await PublishAboutAsync(client, """{"format":"email","email":"carol@example.com"}""")));

        // Another node adds Bob back to a (no notice reaches this one); the reload of every stream finds it.
        var unchanged = catalog.Find(b)!.Subjects;
        var bob = SubjectIdentifier.Parse(Bob);
        await server.Factory.Services.GetRequiredService<IStreamStore>()
            .AddSubjectAsync(a, new StreamSubject(bob.CanonicalKey, bob.ToJson(), Verified: true, DateTimeOffset.UtcNow), CancellationToken.None);
        await catalog.ReloadAllAsync(CancellationToken.None);

        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), (await RoutedToAsync(server, await PublishAboutAsync(client, BobInTenant1))).Order(StringComparer.Ordinal));
        Assert.Equal([a], await RoutedToAsync(server, await PublishAboutAsync(client, AliceInTenant1)));
        Assert.Same(unchanged, catalog.Find(b)!.Subjects);
    }

    /// <summary>A client of the project with a poll stream of its own.</summary>
    private static async Task<(HttpClient Client, string StreamId)> PollStreamAsync(SsfTestServer server)
    {
        var (client, _, _) = await server.RegisterClientAsync();
        return (client, (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!);
    }

    /// <summary><c>POST /ssf/subjects/add</c> (200) or <c>/remove</c> (204), SSF 1.0 §8.1.3.</summary>
    private static async Task ChangeAsync(HttpClient client, string verb, string streamId, string subject)
    {
        using var response = await client.PostAsJsonAsync($"/ssf/subjects/{verb}", new JsonObject { ["stream_id"] = streamId, ["subject"] = JsonNode.Parse(subject) });
        Assert.Equal(verb == "add" ? HttpStatusCode.OK : HttpStatusCode.NoContent, response.StatusCode);
    }

    private static Task<string> PublishAboutAsync(HttpClient client, string subject) =>
        SsfTestServer.PublishAsync(client, $$$"""{"events":{"{{{SessionRevoked}}}":{"initiating_entity":"admin"}},"sub_id":{{{subject}}}}""");

    private static async Task<List<string>> PolledSubjectsAsync(SsfTestServer server, HttpClient client, string streamId)
    {
        var answer = await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true });
        var subjects = new List<string>();
        foreach (var (_, token) in answer["sets"]!.AsObject())
        {
            subjects.Add((await server.ValidateAsync(token!.GetValue<string>())).Set!.Subject!.CanonicalKey);
        }

        return subjects;
    }

    /// <summary>The streams an event was routed to, as <c>GET /events/{jti}</c> shows them.</summary>
    private static async Task<List<string>> RoutedToAsync(SsfTestServer server, string jti)
    {
        var stored = await server.Admin.GetFromJsonAsync<JsonElement>($"/events/{jti}");
        return stored.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("stream_id").GetString()!).ToList();
    }

    private static async Task<string> WaitForEventPushAsync(RecordingReceiver receiver)
    {
        var push = await Eventually.GetAsync(
            () => Task.FromResult(receiver.Received.FirstOrDefault(p => Payload(p.Body).GetProperty("events").TryGetProperty(SessionRevoked, out _))),
            p => p is not null,
            "a session-revoked SET to be pushed");
        return push!.Body;
    }

    private static string SubjectOf(string token) => SubjectIdentifier.Parse(Payload(token).GetProperty("sub_id").GetRawText()).CanonicalKey;

    private static JsonElement Payload(string token) => JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement;

    private static string Key(string subject) => SubjectIdentifier.Parse(subject).CanonicalKey;
}
