using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using SharpSignals.Server.ApiDocs;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.ApiDocs;

/// <summary>
/// The OpenAPI document, fetched over HTTP from a listening server and read with the OpenAPI.NET
/// reader: every endpoint the server maps (enumerated, so a new one is checked without being named
/// here) is in it with each of its methods and an answer schema.
/// </summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
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

    [Fact]
    public async Task TheDocument_IsValidOpenApi31()
    {
        var (document, diagnostic, raw) = await ReadAsync();

        Assert.Empty(diagnostic.Errors);
        Assert.Empty(diagnostic.Warnings);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.StartsWith("3.1", raw.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("SharpSignals", document.Info.Title);
        Assert.Equal(SecuritySchemeType.Http, document.Components!.SecuritySchemes![ApiDocumentTransformer.BearerScheme].Type);
        var schemas = raw.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.All(References(raw.RootElement), reference => Assert.True(
            reference.StartsWith("#/components/schemas/", StringComparison.Ordinal) && schemas.TryGetProperty(reference.Split('/')[^1], out _),
            $"{reference} points at no schema"));
    }

    [Fact]
    public async Task EveryMappedRouteAndMethod_IsDescribedWithAnAnswerSchema()
    {
        var (document, _, _) = await ReadAsync();
        var endpoints = _server.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(ApiPaths.IsDescribed).Cast<RouteEndpoint>().ToList();

        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = ApiPaths.Of(endpoint.RoutePattern);
            foreach (var method in ApiPaths.MethodsOf(endpoint))
            {
                var operation = document.Paths.GetValueOrDefault(path)?.Operations?.GetValueOrDefault(HttpMethod.Parse(method));
                if (operation is null)
                {
                    missing.Add($"{method} {path}: not in the document");
                }
                else if (operation.Responses?.Values.Any(r => r.Content?.Values.Any(c => c.Schema is not null) == true) != true)
                {
                    missing.Add($"{method} {path}: no answer with a schema (declare one with .Produces<T>() where it is mapped)");
                }
            }
        }

        Assert.True(endpoints.Count >= 30, $"Only {endpoints.Count} endpoints were found.");
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public async Task ErrorShapesAndBodies_AreTheOnesOnTheWire()
    {
        var (_, _, raw) = await ReadAsync();
        var paths = raw.RootElement.GetProperty("paths");

        // RFC 8935 §2.3: a refused push is {"err", "description"}.
        var pushRefusal = Resolve(raw, paths.GetProperty("/ssf/push/{streamId}").GetProperty("post").GetProperty("responses").GetProperty("400"));
        Assert.True(pushRefusal.GetProperty("properties").TryGetProperty("err", out _));
        Assert.True(paths.GetProperty("/ssf/push/{streamId}").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/secevent+jwt", out _));

        // RFC 8936 §2.2 and §2.3: the poll request and answer.
        var poll = paths.GetProperty("/ssf/poll/{streamId}").GetProperty("post");
        Assert.True(Resolve(raw, poll.GetProperty("requestBody")).GetProperty("properties").TryGetProperty("returnImmediately", out _));
        Assert.True(Resolve(raw, poll.GetProperty("responses").GetProperty("200")).GetProperty("properties").TryGetProperty("moreAvailable", out _));

        // RFC 9457 elsewhere, and RFC 6750 §3 challenges on the endpoints that take a token.
        var create = paths.GetProperty("/ssf/streams").GetProperty("post");
        Assert.True(create.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(create.GetProperty("responses").GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _));
        Assert.True(create.GetProperty("responses").GetProperty("403").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _));
        Assert.True(create.GetProperty("security")[0].TryGetProperty(ApiDocumentTransformer.BearerScheme, out _));
        Assert.False(paths.GetProperty("/jwks.json").GetProperty("get").TryGetProperty("security", out _));

        // The source-generated contracts' member names, not the C# property names.
        var stream = Resolve(raw, create.GetProperty("responses").GetProperty("201")).GetProperty("properties");
        Assert.True(stream.TryGetProperty("stream_id", out _));
        Assert.True(stream.TryGetProperty("events_delivered", out _));
        Assert.False(stream.TryGetProperty("StreamId", out _));
    }

    [Fact]
    public async Task QueryParameters_TheHandlersRead_AreDescribed()
    {
        var (_, _, raw) = await ReadAsync();
        var paths = raw.RootElement.GetProperty("paths");

        static string[] QueryOf(JsonElement operation) =>
            [.. operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)];

        Assert.Contains("stream_id", QueryOf(paths.GetProperty("/ssf/streams").GetProperty("get")));
        Assert.Contains("stream_id", QueryOf(paths.GetProperty("/ssf/streams").GetProperty("delete")));
        Assert.Contains("stream_id", QueryOf(paths.GetProperty("/ssf/status").GetProperty("get")));
        Assert.Equal(["project", "event_type", "txn", "subject", "source_stream_id", "since", "until", "before", "limit"], QueryOf(paths.GetProperty("/admin/events").GetProperty("get")));
    }

    [Fact]
    public async Task TheReferencePage_LoadsItsScriptFromThisServer()
    {
        using var page = await _http.GetAsync(new Uri(ApiDocsServices.ReferencePage, UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var scripts = Regex.Matches(html, "<script[^>]*\\ssrc=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(Uri.TryCreate(script, UriKind.Absolute, out var absolute) && absolute.Host != "127.0.0.1", $"{script} is not served by this server");
            using var loaded = await _http.GetAsync(new Uri(new Uri(_http.BaseAddress!, ApiDocsServices.ReferencePage + "/"), script));
            Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        }
    }

    [Fact]
    public async Task TheSetting_TurnsDocumentAndPageOff()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:ApiDocs:Enabled"] = "false" });
        var client = server.Factory.CreateClient();

        using var document = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        using var page = await client.GetAsync(new Uri(ApiDocsServices.ReferencePage, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    private async Task<(OpenApiDocument Document, Microsoft.OpenApi.Reader.OpenApiDiagnostic Diagnostic, JsonDocument Raw)> ReadAsync()
    {
        using var response = await _http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var read = OpenApiDocument.Parse(text, "json");
        Assert.NotNull(read.Document);
        return (read.Document, read.Diagnostic!, JsonDocument.Parse(text));
    }

    /// <summary>Every <c>$ref</c> in the document.</summary>
    private static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(member =>
            member.Name == "$ref" && member.Value.ValueKind == JsonValueKind.String ? [member.Value.GetString()!] : References(member.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };

    /// <summary>The schema of a response or request body's JSON content, following a <c>$ref</c> into the components.</summary>
    private static JsonElement Resolve(JsonDocument raw, JsonElement bodyOrResponse)
    {
        var content = bodyOrResponse.GetProperty("content").EnumerateObject().First().Value.GetProperty("schema");
        return content.TryGetProperty("$ref", out var reference)
            ? raw.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : content;
    }
}
