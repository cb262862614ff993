using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Http;

/// <summary>
/// Issue 19: every endpoint that takes a JSON body refuses another media type with 415 problem
/// details naming application/json, before it reads or changes anything; over real HTTP on loopback.
/// </summary>
public sealed class MediaTypeTests : IAsyncLifetime
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private SsfTestServer _server = null!;
    private HttpClient _client = null!;
    private string _pollStream = null!;
    private string _initialAccessToken = null!;

    public static TheoryData<string, string> EndpointsAndMediaTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints)
        {
            foreach (var mediaType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "(none)" })
            {
                data.Add(endpoint, mediaType);
            }
        }

        return data;
    }

    private static readonly string[] Endpoints =
    [
        "POST /events", "POST /ssf/streams", "PATCH /ssf/streams", "PUT /ssf/streams", "POST /ssf/status",
        "POST /ssf/subjects/add", "POST /ssf/subjects/remove", "POST /ssf/verify", "POST /ssf/poll/{poll}",
        "POST /iat", "POST /register", "POST /broadcast", "POST /admin/streams/{poll}/deadletters/retry",
        "POST /admin/streams/{poll}/deadletters/discard", "POST /admin/streams/{poll}/replay", "POST /admin/keys/rotate",
    ];

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        (_client, _, _) = await _server.RegisterClientAsync();
        _pollStream = (string)(await SsfTestServer.CreateStreamAsync(_client, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!;
        using var iat = await _server.Admin.PostAsJsonAsync("/iat", new { project = "p1", expires_in = 3600 });
        _initialAccessToken = (string)(await iat.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(EndpointsAndMediaTypes))]
    public async Task AJsonEndpoint_GivenAnotherMediaType_Is415AndChangesNothing(string endpoint, string mediaType)
    {
        var before = await SnapshotAsync();

        using var response = await SendAsync(endpoint, mediaType == "(none)" ? null : mediaType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(415, (int)problem["status"]!);
        Assert.Contains("application/json", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("APPLICATION/JSON;charset=UTF-8")]
    [InlineData("application/vnd.example+json")]
    public async Task AJsonEndpoint_GivenJsonOrAPlusJsonType_ReadsTheBody(string mediaType)
    {
        using var response = await SendAsync("PATCH /ssf/streams", mediaType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("changed", (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["description"]!);
    }

    /// <summary>The endpoint's request with a body it would accept as application/json, labelled <paramref name="mediaType"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(string endpoint, string? mediaType)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1].Replace("{poll}", _pollStream, StringComparison.Ordinal));
        var subject = """{"format":"email","email":"alice@example.com"}""";
        var json = path switch
        {
            "/events" => SsfTestServer.SessionRevoked(),
            "/ssf/streams" when method == "POST" => $$"""{"events_requested":["{{SessionRevoked}}"]}""",
            "/ssf/streams" => $$"""{"stream_id":"{{_pollStream}}","description":"changed","events_requested":["{{SessionRevoked}}"]}""",
            "/ssf/status" => $$"""{"stream_id":"{{_pollStream}}","status":"paused"}""",
            "/ssf/subjects/add" or "/ssf/subjects/remove" => $$"""{"stream_id":"{{_pollStream}}","subject":{{subject}},"verified":true}""",
            "/ssf/verify" => $$"""{"stream_id":"{{_pollStream}}","state":"x"}""",
            "/iat" => """{"project":"p1","expires_in":3600}""",
            "/register" => """{"client_name":"another"}""",
            "/broadcast" => """{"topic":"t","message":"m","token":"eyJ.eyJ.x"}""",
            _ when path.EndsWith("/replay", StringComparison.Ordinal) => """{"from_position":0}""",
            "/admin/keys/rotate" => """{"now":true}""",
            _ => "{}",
        };

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        if (mediaType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
        }

        var admin = path.StartsWith("/admin", StringComparison.Ordinal) || path == "/iat";
        request.Headers.Authorization = path == "/register"
            ? new("Bearer", _initialAccessToken)
            : admin ? _server.Admin.DefaultRequestHeaders.Authorization : _client.DefaultRequestHeaders.Authorization;
        return await _client.SendAsync(request);
    }

    /// <summary>What any of the requests would change: streams, their state and delivery state, keys, clients and stored events.</summary>
    private async Task<string> SnapshotAsync()
    {
        var parts = new List<string>
        {
            await _client.GetStringAsync(new Uri("/ssf/streams", UriKind.Relative)),
            await _client.GetStringAsync(new Uri($"/ssf/status?stream_id={_pollStream}", UriKind.Relative)),
        };
        foreach (var path in new[] { "/admin/streams", "/admin/keys", "/admin/clients", "/admin/events", $"/admin/streams/{_pollStream}/deadletters" })
        {
            parts.Add(await _server.Admin.GetStringAsync(new Uri(path, UriKind.Relative)));
        }

        return string.Join('\n', parts);
    }
}
