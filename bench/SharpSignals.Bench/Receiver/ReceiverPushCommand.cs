using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SharpSignals.Bench.Server;
using SharpSignals.Receiver;
using SharpSignals.Receiver.Handlers;
using SharpSignals.Receiver.Intake;
using SharpSignals.Receiver.Streams;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Discovery;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Bench.Receiver;

/// <summary>
/// <c>receiver-push [--count N] [--concurrency N] [--no-sync]</c>: the receiver library's RFC 8935 push endpoint
/// taking ES256 SETs through the ASP.NET Core pipeline in memory (TestServer: routing, the stream's
/// credential, body, validation with the token library, dedupe with the handled jti recorded in the
/// default file store, and dispatch to a no-op handler), held against the
/// raw ES256 verify rate on the same cores in the same run.
/// </summary>
internal static class ReceiverPushCommand
{
    public const string Mode = "receiver-push";

    private const string Issuer = "https://tx.bench.example";
    private const string Audience = "https://rp.bench.example";
    private const string PushCredential = "Bearer bench";
    private const double Target = 10_000;
    private const string BarePath = "/bare";

    public static bool Handles(string[] args) => args is [Mode, ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--count", 100_000);
        var concurrency = Option(args, "--concurrency", 32);
        var syncWrites = !args.Contains("--no-sync");
        var threads = Environment.ProcessorCount;
        Console.WriteLine($"receiver push: {count:N0} ES256 SETs, {concurrency} concurrent requests, {threads} cores, subject states {(syncWrites ? "fsync'd" : "not fsync'd")}");

        var key = SetSigningKey.Generate();
        var warmUp = Sign(key, 5_000);
        var tokens = Sign(key, count);

        var rawVerify = Ceilings.VerifyRate(threads, TimeSpan.FromSeconds(5));
        Console.WriteLine($"ceiling: raw ES256 verify {rawVerify:N0}/s on {threads} threads");

        var state = Path.Combine(Path.GetTempPath(), "sharpsignals-bench-receiver-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = await StartAsync(key, state, syncWrites);
            using var client = app.GetTestClient();
            await PushAllAsync(client, warmUp, concurrency);
            await PushAllAsync(client, warmUp, concurrency, BarePath);
            await Task.Delay(LoadCommand.JitSettle);

            // The same requests to an endpoint that only reads the body and answers 202: what the pipeline itself costs.
            var bare = Stopwatch.StartNew();
            await PushAllAsync(client, tokens[..Math.Min(30_000, count)], concurrency, BarePath);
            var bareRate = Math.Min(30_000, count) / bare.Elapsed.TotalSeconds;
            Console.WriteLine($"ceiling: the same POSTs to a bare endpoint {bareRate:N0}/s");

            var handler = app.Services.GetRequiredService<NoOpHandler>();
            var before = handler.Count;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await PushAllAsync(client, tokens, concurrency);
            clock.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var perSet = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count;

            if (handler.Count - before != count)
            {
                Console.WriteLine($"FAILED: the handler saw {handler.Count - before} of {count} SETs");
                return 1;
            }

            var rate = count / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"receiver push: {rate:N0}/s ({clock.Elapsed.TotalSeconds:0.00} s, CPU {cpuUsed.TotalSeconds / clock.Elapsed.TotalSeconds:0.00} cores), "
                + $"ratio to raw verify {rate / rawVerify:0.00}, to the bare endpoint {rate / bareRate:0.00}, target {Target:N0}/s {(rate >= Target ? "met" : "MISSED")}, allocated {perSet:N0} B/SET");

            // Every SET again: answered 202 from the handled jti record, handlers not called.
            clock.Restart();
            await PushAllAsync(client, tokens[..Math.Min(20_000, count)], concurrency);
            var duplicates = Math.Min(20_000, count) / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"duplicates: {duplicates:N0}/s, handler calls {handler.Count - before - count}");
            return 0;
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static async Task<WebApplication> StartAsync(SetSigningKey key, string state, bool syncWrites)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSharedSignalsReceiver(o =>
        {
            o.Issuer = Issuer;
            o.PushEndpointUrl = "https://rp.bench.example/ssf/events";
            o.StateDirectory = state;
            o.SyncWrites = syncWrites;
        }).AddHandler<NoOpHandler>();

        // No transmitter to join here: the stream is handed to the intake directly below.
        builder.Services.RemoveAll<IHostedService>();
        var app = builder.Build();
        app.MapSharedSignalsReceiver("/ssf/events");
        app.MapPost(BarePath, async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            await reader.ReadToEndAsync();
            return Results.StatusCode(StatusCodes.Status202Accepted);
        });
        await app.StartAsync();
        await app.Services.GetRequiredService<SetIntake>().ActivateAsync(new ActiveStream
        {
            StreamId = "bench",
            Metadata = new TransmitterMetadata { Issuer = Issuer },
            DeliveryMethod = DeliveryMethods.Push,
            PushAuthorizationHeader = PushCredential,
            Validator = new SetValidator(new SetValidationOptions
            {
                Keys = StaticKeySource.FromJwks(new KeyRing(key).ToPublicJwks()),
                ValidIssuers = [Issuer],
                ValidAudiences = [Audience],
                AcceptedEventTypes = [EventTypes.Caep.SessionEstablished],
            }),
        }, CancellationToken.None);
        return app;
    }

    private static async Task PushAllAsync(HttpClient client, string[] tokens, int concurrency, string path = "/ssf/events")
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < tokens.Length; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(tokens[i]) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(SetMediaTypes.ContentType);
                request.Headers.TryAddWithoutValidation("Authorization", PushCredential);
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"The push endpoint answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
    }

    /// <summary>CAEP session-established SETs with an email subject and a fresh jti each, signed on every core.</summary>
    private static string[] Sign(SetSigningKey key, int count)
    {
        var signer = new SetSigner(key);
        var tokens = new string[count];
        Parallel.For(0, count, i => tokens[i] = signer.Sign(new SecurityEventToken
        {
            Issuer = Issuer,
            Audience = [Audience],
            IssuedAt = DateTimeOffset.UtcNow,
            Jti = SetIds.NewJti(),
            Subject = new EmailSubject($"user{i % 1000}@example.com"),
            Events = [new SessionEstablished { EventTimestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }],
        }));
        return tokens;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
    }

    /// <summary>Counts, and does nothing else.</summary>
    private sealed class NoOpHandler : ISecurityEventHandler<SessionEstablished>
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task HandleAsync(SecurityEventContext<SessionEstablished> context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
