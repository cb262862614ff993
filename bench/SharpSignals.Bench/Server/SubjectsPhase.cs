using System.Diagnostics;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Subjects;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Issue 23, §2 "subjects": routing cost per event with 10, 10,000 and 1,000,000 subjects across a
/// project's streams. Each size gets a fresh server with <c>default_subjects</c> NONE and
/// <see cref="Streams"/> poll streams sharing the subjects; then a warm publish loop of events about
/// subjects not in the lists (routed nowhere, the pure cost of deciding so) and, one in
/// <see cref="HitEvery"/>, about one that is (routed to its stream). Printed per size: server CPU per
/// event, publish rate and the server's RSS, and the CPU per event against the smallest size.
/// </summary>
internal static class SubjectsPhase
{
    public static readonly int[] Sizes = [10, 10_000, 1_000_000];

    /// <summary>The poll streams of the project, each with an equal share of the subjects.</summary>
    public const int Streams = 10;

    /// <summary>Subjects added through <c>/ssf/subjects/add</c>; beyond that, the store directly (the API's rate is printed).</summary>
    private const int ThroughApiAtMost = 10_000;

    /// <summary>One published event in this many is about a subject in the lists.</summary>
    private const int HitEvery = 10;

    private const int Bodies = 1_000;
    private const double MegaByte = 1024 * 1024;

    public static async Task<SubjectsResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var sizes = new List<SubjectsSize>();
        foreach (var size in Sizes)
        {
            sizes.Add(await RunSizeAsync(options, temp, size, details));
        }

        return new SubjectsResult(sizes);
    }

    private static string Email(int subject) => $"s{subject}@subjects.example";

    private static async Task<SubjectsSize> RunSizeAsync(LoadOptions options, string temp, int size, List<string> details)
    {
        var output = Console.Out;
        var name = $"subjects-{size}";
        string[] settings =
        [
            "--SharpSignals:Streams:DefaultSubjects=NONE",
            Invariant($"--SharpSignals:Quotas:MaxSubjectsPerStream={Math.Max(10_000, size / Streams)}"),
        ];
        output.WriteLine(Invariant($"subjects: {size:N0} across {Streams} poll streams ..."));
        var (started, adminToken) = await ServerProcess.StartAsync(temp, name, SigningAlgorithms.ES256, settings);
        var server = started;
        var ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);
        try
        {
            var streams = new List<string>();
            for (var i = 0; i < Streams; i++)
            {
                streams.Add(await ssf.CreateStreamAsync(pushUrl: null));
            }

            // Through the API as far as it is quick; subject i goes to stream i mod Streams.
            var throughApi = Math.Min(size, ThroughApiAtMost);
            var next = -1;
            var added = await ClosedLoop.RunCountAsync(16, throughApi, () =>
            {
                var subject = Interlocked.Increment(ref next);
                return ssf.AddSubjectAsync(streams[subject % Streams], Email(subject));
            });
            if (added.Failed > 0)
            {
                throw new InvalidOperationException(Invariant($"{added.Failed:N0} subject additions failed{LoadCommand.Failure(added)}."));
            }

            var seeded = "";
            if (size > throughApi)
            {
                // The rest through the store, with the server stopped; a fresh server reads them all at its start.
                await server.DisposeAsync();
                var seeding = Stopwatch.StartNew();
                await SeedAsync(Path.Combine(temp, name, "sharpsignals.db"), streams, throughApi, size);
                // The same address, so that the issuer and the client's token stay valid.
                var port = started.Port;
                var loading = Stopwatch.StartNew();
                server = await ServerProcess.StartAsync(temp, name, SigningAlgorithms.ES256, port, $"http://127.0.0.1:{port}", settings);
                seeded = Invariant($"; {size - throughApi:N0} more through the store in {seeding.Elapsed.TotalSeconds - loading.Elapsed.TotalSeconds:F0} s (the API's pace would take {(size - throughApi) / added.Rate / 60:F0} min), the server started with them in {loading.Elapsed.TotalSeconds:F1} s");
                var reconnected = ssf.ForNode(server.BaseAddress);
                ssf.Dispose();
                ssf = reconnected;
            }

            // Nine in ten events about subjects in no list, one in ten about one in the lists.
            var bodies = Enumerable.Range(0, Bodies)
                .Select(i => SsfClient.EventBodyAbout(i % HitEvery == 0 ? Email(i * 7919 % size) : $"miss{i}@subjects.example"))
                .ToArray();
            await Task.Delay(LoadCommand.JitSettle);
            var rssBefore = ProcessProbe.Memory(server.ProcessId).Rss;
            var (publish, cpu) = await ClosedLoop.RunForWithServerCpuAsync(options.Publishers, () => ssf.PublishAsync(bodies[Random.Shared.Next(bodies.Length)]), options.WarmUp, options.Window, server.ProcessId);
            var (rss, peak) = ProcessProbe.Memory(server.ProcessId);
            var microseconds = cpu.ServerCores * 1e6 / publish.Rate;
            details.Add(Invariant(
                $"subjects {size:N0}: {throughApi:N0} added through the API at {added.Rate:N0}/s{seeded}; publish {publish.Completed:N0} events = {publish.Rate:N0}/s, p99 {publish.Percentile(0.99):F1} ms, {publish.Failed} failed{LoadCommand.Failure(publish)}; {cpu}, {cpu.ServerMicrosecondsPer(publish.Rate, "event")}; VmRSS {rssBefore / MegaByte:N0} MB before publishing, {rss / MegaByte:N0} MB after, VmHWM {peak / MegaByte:N0} MB"));
            output.WriteLine($"  {details[^1]}");
            return new SubjectsSize(size, publish.Rate, microseconds, rss / MegaByte, peak / MegaByte);
        }
        finally
        {
            ssf.Dispose();
            await server.DisposeAsync();
        }
    }

    /// <summary>Subjects <paramref name="from"/> to <paramref name="to"/> through the storage library, many writes in flight so they share commits.</summary>
    private static async Task SeedAsync(string database, List<string> streams, int from, int to)
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database });
        var now = DateTimeOffset.UtcNow;
        var next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, 256).Select(async _ =>
        {
            int subject;
            while ((subject = Interlocked.Increment(ref next)) < to)
            {
                var identifier = new EmailSubject(Email(subject));
                await store.AddSubjectAsync(streams[subject % Streams], new StreamSubject(identifier.CanonicalKey, identifier.ToJson(), Verified: true, now), CancellationToken.None);
            }
        }));
    }
}

/// <summary>One size of the subjects part: publish rate, server CPU per event, memory.</summary>
internal sealed record SubjectsSize(int Subjects, double PublishRate, double MicrosecondsPerEvent, double RssMegabytes, double PeakMegabytes);

/// <summary>Every size of the subjects part, smallest first; none when the part did not run.</summary>
internal sealed record SubjectsResult(IReadOnlyList<SubjectsSize> Sizes)
{
    public static SubjectsResult None { get; } = new([]);
}
