using System.Net;
using SharpSignals.Server.OperatorConsole.SignIn;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>Where the console answers (docs/CONFIGURATION.md, "Operator console"), and where its sign-in may send the browser.</summary>
public sealed class ConsoleSettingsTests
{
    [Theory]
    [InlineData("SharpSignals:Console:Enabled", "false")]
    [InlineData("SharpSignals:Console:Port", "9")]
    public async Task Console_OffOrOnAnotherPort_Is404(string key, string value)
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { [key] = value });
        using var client = server.Factory.CreateClient(new() { AllowAutoRedirect = false });

        using var page = await client.GetAsync(new Uri("/console/signin", UriKind.Relative));
        using var other = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Console_IsNotInTheApiDocument()
    {
        await using var server = new SsfTestServer();
        var document = await server.Admin.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.DoesNotContain("/console", document, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console/signin", "multipart/form-data", "x", 400)]
    [InlineData("/console/signin", "multipart/form-data; boundary=b", "{\"a\":1}", 400)]
    [InlineData("/console/signout", "application/x-www-form-urlencoded", "%%%=%%%&&&", 400)]
    [InlineData("/console/signin", "application/json", "{\"token\":\"x\"}", 415)]
    [InlineData("/console/signout", "text/plain", "x", 415)]
    public async Task Change_WithABodyTheFormReaderRefuses_IsAClientError(string path, string contentType, string body, int status)
    {
        // Found by the fuzz test: the form reader's exceptions were 500s.
        await using var server = new SsfTestServer();
        using var client = server.Factory.CreateClient(new() { AllowAutoRedirect = false });
        using var content = new StringContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var answer = await client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(status, (int)answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null, "/console")]
    [InlineData("/console", "/console")]
    [InlineData("/console/streams/abc?x=1", "/console/streams/abc?x=1")]
    [InlineData("/console?page=2", "/console?page=2")]
    [InlineData("/consoleevil", "/console")]
    [InlineData("//evil.example/console", "/console")]
    [InlineData("/console//evil.example", "/console")]
    [InlineData("/console/\\evil.example", "/console")]
    [InlineData("https://evil.example/console", "/console")]
    [InlineData("/admin/streams", "/console")]
    [InlineData("/console/\nx", "/console")]
    public void SignIn_ReturnsOnlyToAConsolePage(string? asked, string expected) =>
        Assert.Equal(expected, SignInEndpoints.SafeReturn(asked));
}
