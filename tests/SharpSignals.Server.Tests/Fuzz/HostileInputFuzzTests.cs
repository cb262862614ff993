using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Tests.Realtime;
using SharpSignals.Server.Tests.Support;
using Xunit.Abstractions;

namespace SharpSignals.Server.Tests.Fuzz;

/// <summary>
/// Issue 19: a few thousand generated hostile requests (tests/Support/Fuzz) to every endpoint the
/// server maps, with no token, bad ones and one of every kind, over real HTTP and WebSocket on
/// loopback. No 5xx, no connection closed without an answer, and the server healthy afterwards.
/// The seed is fixed so that a failure is reproduced; <c>SHARPSIGNALS_FUZZ_SEED</c> tries another.
/// </summary>
public sealed class HostileInputFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 19;
    private const int Requests = 3000;

    /// <summary>Connections at once: enough to overlap requests, few enough for a busy 2-core machine.</summary>
    private const int Concurrency = 6;

    [Fact]
    public async Task GeneratedRequests_ToEveryEndpoint_GetNo5xxAndNoAbort()
    {
        var seed = Environment.GetEnvironmentVariable("SHARPSIGNALS_FUZZ_SEED") is { Length: > 0 } chosen ? int.Parse(chosen, CultureInfo.InvariantCulture) : DefaultSeed;
        using var topicTokens = new TopicTokens();
        await using var server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Realtime:TrustedKeys:0"] = topicTokens.PublicKeyPem,
            ["SharpSignals:Streams:PollWaitSeconds"] = "1",
        });
        var endpoints = FuzzEndpoint.From(server.Factory.Services.GetRequiredService<EndpointDataSource>());
        Assert.Contains(endpoints, e => e.Pattern == "/ssf/push/{streamId}");
        Assert.Contains(endpoints, e => e.Pattern == "/ws");

        using var http = new HttpClient { BaseAddress = new Uri(server.Issuer) };
        var fixture = await FuzzFixture.PrepareAsync(http, await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.token")), (topic, scope) => topicTokens.Issue(topic, scope, TimeSpan.FromHours(1)));
        var generator = new FuzzGenerator(seed, endpoints, fixture);
        Assert.True(generator.SweepLength < Requests, $"{Requests} requests do not cover every endpoint with every credential ({generator.SweepLength})");
        using var runner = new FuzzRunner(new Uri(server.Issuer), generator, fixture);

        var report = await runner.RunAsync(Requests, Concurrency);
        var (healthy, health) = await runner.HealthAsync();

        output.WriteLine($"{endpoints.Count} endpoints: {string.Join(", ", endpoints.Select(e => e.Method + " " + e.Pattern))}");
        output.WriteLine(report.Summary(seed));
        Assert.True(report.Failures.IsEmpty, $"{report.Summary(seed)}\nfirst failures:\n{string.Join("\n", report.Failures.Take(15))}");
        Assert.True(healthy, $"/healthz after the fuzz run: {health}");
    }
}
