using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>
/// The JSON console logs of docs/OPERATIONS.md ("JSON logs"), in a real process: the settings start
/// the server, and a line logged during a request is one JSON object carrying the request's trace
/// and span ids.
/// </summary>
public sealed class JsonLogTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task JsonFormatterWithScopes_RequestLogLine_IsJsonWithTheTraceAndSpanIds()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        await using var server = await ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60),
        [
            "--Logging:Console:FormatterName=json",
            "--Logging:Console:FormatterOptions:IncludeScopes=true",
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information",
        ]);
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/livez");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var line = await Eventually.GetAsync(
            () => Task.FromResult(server.RecentOutput.Split(Environment.NewLine).FirstOrDefault(l => l.Contains(traceId, StringComparison.Ordinal))),
            found => found is not null,
            "a log line of the request",
            TimeSpan.FromSeconds(10));
        using var json = JsonDocument.Parse(line!);
        var scope = json.RootElement.GetProperty("Scopes").EnumerateArray().First(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _));
        Assert.Equal(traceId, scope.GetProperty("TraceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", scope.GetProperty("SpanId").GetString());
        Assert.Equal("Microsoft.AspNetCore.Hosting.Diagnostics", json.RootElement.GetProperty("Category").GetString());
    }

    public void Dispose() => _data.Dispose();
}
