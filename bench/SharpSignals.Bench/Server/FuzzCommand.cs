extern alias server;

using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharpSignals.Tests.Support;

namespace SharpSignals.Bench.Server;

/// <summary>
/// <c>fuzz [--seed N] [--requests N] [--seconds N] [--concurrency N]</c>: the longer run of the
/// server tests' hostile-input fuzzer (tests/Support/Fuzz, issue 19): the same generator, the same
/// seed gives the same requests, for as many requests or seconds as asked; prints requests/s, the
/// answers by status and every failure (a 5xx, a connection closed without an answer, /healthz not
/// healthy after). The server runs in this process on a loopback port, so that the fuzzer takes its
/// endpoints from the application's own route table.
/// </summary>
internal static class FuzzCommand
{
    public const string Mode = "fuzz";

    private const int PrintedFailures = 30;

    public static bool Handles(string[] args) => args is [Mode, ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var seed = Option(args, "--seed", 19);
        var requests = Option(args, "--requests", 100_000);
        var seconds = Option(args, "--seconds", 0);
        var concurrency = Option(args, "--concurrency", 16);
        var data = Directory.CreateTempSubdirectory("sharpsignals-fuzz-");
        try
        {
            using var topicTokens = new TopicTokenIssuer();
            var port = ChildProcess.FreePort();
            var issuer = $"http://127.0.0.1:{port}";
            await using var host = new FuzzedServer(data.FullName, issuer, topicTokens.PublicPemBase64);
            host.UseKestrel(port);
            host.StartServer();

            var endpoints = FuzzEndpoint.From(host.Services.GetRequiredService<EndpointDataSource>());
            using var http = new HttpClient { BaseAddress = new Uri(issuer) };
            var fixture = await FuzzFixture.PrepareAsync(http, await File.ReadAllTextAsync(Path.Combine(data.FullName, "admin.token")), (topic, scope) => topicTokens.Create(topic, scope, TimeSpan.FromHours(2)));
            using var runner = new FuzzRunner(new Uri(issuer), new FuzzGenerator(seed, endpoints, fixture), fixture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: seed {seed}, {(seconds > 0 ? $"{seconds} s" : $"{requests:N0} requests")}, {concurrency} connections, {endpoints.Count} endpoints, {Environment.ProcessorCount} cores"));

            var report = await runner.RunAsync(requests, concurrency, seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);
            var (healthy, health) = await runner.HealthAsync();

            Console.WriteLine(report.Summary(seed));
            Console.WriteLine($"/healthz after: {health}");
            foreach (var failure in report.Failures.Take(PrintedFailures))
            {
                Console.WriteLine(failure);
            }

            return report.Failures.IsEmpty && healthy ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    /// <summary>The real server as in production on a fresh data directory, trusting the run's topic-token key; it logs nothing, the report says what failed.</summary>
    private sealed class FuzzedServer(string dataDirectory, string issuer, string topicKey) : WebApplicationFactory<server::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("SharpSignals:DataDirectory", dataDirectory);
            builder.UseSetting("SharpSignals:Issuer", issuer);
            builder.UseSetting("SharpSignals:AllowInsecureHttp", "true");
            builder.UseSetting("SharpSignals:Realtime:TrustedKeys:0", topicKey);
            builder.UseSetting("SharpSignals:Streams:PollWaitSeconds", "1");
            builder.UseEnvironment("Production");
            builder.ConfigureLogging(logging => logging.ClearProviders());
        }
    }
}
