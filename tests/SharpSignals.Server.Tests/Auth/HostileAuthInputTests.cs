using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Auth;

/// <summary>Issue 19: inputs to /iat and /oauth/token that gave 500, over real HTTP on loopback.</summary>
public sealed class HostileAuthInputTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _http = new HttpClient { BaseAddress = new Uri(_server.Issuer) };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("9999999999999")]
    [InlineData("1e300")]
    [InlineData("-1")]
    public async Task Iat_WithAnExpiresInOutOfRange_Is400NamingIt(string expiresIn)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/iat")
        {
            Content = new StringContent($$"""{"project":"p1","expires_in":{{expiresIn}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "admin.token")));

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("expires_in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=xyz", "garbage, not a multipart body")]
    [InlineData("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials")]
    [InlineData("multipart/form-data", "no boundary at all")]
    public async Task Token_WithAGarbageFormBody_Is400InvalidRequest(string mediaType, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", mediaType);

        using var response = await _http.PostAsync(new Uri("/oauth/token", UriKind.Relative), content);

        // RFC 6749 §5.2: a JSON object with error, and no 500.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
