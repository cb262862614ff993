using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Http;

/// <summary>
/// Issue 19: an escaped lone surrogate in a JSON body (valid JSON, not I-JSON, unreadable to .NET)
/// is 400 ProblemDetails naming the member on every JSON endpoint, over real HTTP on loopback.
/// </summary>
public sealed class LoneSurrogateTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _admin = new HttpClient { BaseAddress = new Uri(_server.Issuer) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "admin.token")));
        using var iat = await _admin.PostAsJsonAsync("/iat", new { project = "p1", expires_in = 3600 });
        var iatToken = (string)(await iat.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        _client = new HttpClient { BaseAddress = new Uri(_server.Issuer) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", iatToken);
        using var registered = await _client.PostAsJsonAsync("/register", new { client_name = "x" });
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)(await registered.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("streams", """{"description":"a\ud800b"}""", "/description")]
    [InlineData("events", """{"events":{"x":{"reason":["ok","\udc00"]}}}""", "/events/x/reason/1")]
    [InlineData("iat", """{"project":"p1","x\ud800":1}""", " (a member name)")]
    public async Task ALoneSurrogate_Is400NamingTheMember(string endpoint, string json, string member)
    {
        var (client, path) = endpoint switch
        {
            "streams" => (_client, "/ssf/streams"),
            "events" => (_client, "/events"),
            "iat" => (_admin, "/iat"),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(member + " holds an unpaired surrogate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Found by the fuzz test (seed 19): JsonDocument.Parse accepts invalid UTF-8 inside a string, and reading it threw.</summary>
    [Theory]
    [InlineData("/ssf/streams")]
    [InlineData("/events")]
    [InlineData("/ssf/status")]
    public async Task InvalidUtf8InAString_Is400(string path)
    {
        var content = new ByteArrayContent([.. "{\"stream_id\":\"a"u8, 0x80, .. "b\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
