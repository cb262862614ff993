using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The arguments of <c>load</c>: <c>--seconds N</c> (each measured window, 10 by default),
/// <c>--publishers N</c> (64; also the number of concurrent senders pushing into an inbound stream),
/// <c>--poll-events N</c> (the poll backlog drained, 100,000), <c>--push-events N</c> (the push
/// backlog delivered per algorithm, 30,000) and <c>--only PART[,PART...]</c> (some parts of the run;
/// without it, <c>ceilings</c>, <c>publish</c> and <c>push</c>, as before the receiver parts; <c>publish</c>
/// includes fsyncs per event and the poll drain).
/// The receiver parts run only when named: <c>ingest</c> (push ingest on an inbound stream, closed
/// loop then paced at half its rate; <c>--presign N</c> SETs signed before the window, 150,000),
/// <c>e2e</c> (ingest, route and push to a local receiver: <c>--e2e-seconds N</c> sustained, 600;
/// then <c>--e2e-latency-seconds N</c> paced at half the sustained rate, or at <c>--e2e-rate N</c>, for the delivery latency, 60)
/// <c>dead</c> (ten push streams, one receiver dead; <c>--dead-events N</c> SETs each, 10,000) and
/// <c>ws</c> (WebSocket fan-out: <c>--ws-subscribers N</c> on one topic, 10,000; <c>--ws-broadcasts N</c>
/// timed one at a time, 10; then <c>--ws-rate N</c> broadcasts a second for the window, 10) and
/// <c>cluster</c> (publish, poll drain and push with one node and then two on one PostgreSQL database:
/// <c>--postgres "connection string"</c> of a role that may create databases, else a throw-away
/// server of the machine's PostgreSQL package; <c>--cluster-push-streams N</c> push streams, 4) and
/// <c>retention</c> (the retention sweep of <c>--retention-events N</c> delivered events, 300,000, on
/// the embedded store while appends go on) and <c>console</c> (the operator console's reads, each
/// against 200 ms, with <c>--console-streams N</c> streams, 1,000, and <c>--console-events N</c> stored
/// events, 1,000,000; <c>--console-requests N</c> timed reads of each page, 20; <c>--console-data DIR</c> keeps the
/// seeded data directory there, or reuses it when it holds one) and <c>streams</c> (10, 1,000 and 10,000 enabled push
/// streams on one server, up to <c>--streams-max N</c>: threads, idle CPU, memory per stream, one event
/// to all, and a single event's latency; <see cref="PushStreamsPhase"/>) and <c>stored</c> (publish, <c>GET /events/{jti}</c> and
/// the event search with <c>--stored-sizes N[,N...]</c> events stored, 0,1000000,10000000, each against the empty
/// store; <c>--stored-seed-dir DIR</c> keeps each size's seeded data directory there for later runs;
/// <c>--stored-requests N</c> timed reads of each search form, 30).
/// Each part measures the ceilings it is held against, whether or not <c>ceilings</c> is named.
/// </summary>
internal sealed record LoadOptions
{
    public const string Ceilings = "ceilings";
    public const string Publish = "publish";
    public const string Push = "push";
    public const string Ingest = "ingest";
    public const string EndToEnd = "e2e";
    public const string Dead = "dead";
    public const string WebSocket = "ws";
    public const string Cluster = "cluster";
    public const string Retention = "retention";
    public const string OperatorConsole = "console";
    public const string Streams = "streams";
    public const string Stored = "stored";
    public const string Subjects = "subjects";
    public const string FanOut = "fanout";

    private static readonly string[] Parts = [Ceilings, Publish, Push, Ingest, EndToEnd, Dead, WebSocket, Cluster, Retention, OperatorConsole, Streams, Stored, Subjects, FanOut];
    private static readonly string[] DefaultParts = [Ceilings, Publish, Push];

    public int Seconds { get; init; } = 10;

    public int Publishers { get; init; } = 64;

    public int PollEvents { get; init; } = 100_000;

    public int PushEvents { get; init; } = 30_000;

    public int Presign { get; init; } = 150_000;

    public int EndToEndSeconds { get; init; } = 600;

    public int EndToEndLatencySeconds { get; init; } = 60;

    /// <summary>The end-to-end paced rate; 0, the default, paces at half the sustained rate measured just before.</summary>
    public int EndToEndRate { get; init; }

    public int DeadEvents { get; init; } = 10_000;

    public int WebSocketSubscribers { get; init; } = 10_000;

    public int WebSocketBroadcasts { get; init; } = 10;

    public int WebSocketRate { get; init; } = 10;

    public int RetentionEvents { get; init; } = 300_000;

    public int ConsoleStreams { get; init; } = 1_000;

    public int ConsoleEvents { get; init; } = 1_000_000;

    public int ConsoleRequests { get; init; } = 20;

    /// <summary>Where the console part keeps its seeded data directory, to time the pages again later without seeding; null for a throw-away one.</summary>
    public string? ConsoleData { get; init; }

    /// <summary>The numbers of stored events the <c>stored</c> part measures at, the empty store among them.</summary>
    public IReadOnlyList<int> StoredSizes { get; init; } = [0, 1_000_000, 10_000_000];

    /// <summary>Where the <c>stored</c> part keeps each size's seeded data directory; null for the run's temporary directory.</summary>
    public string? StoredSeedDir { get; init; }

    public int StoredRequests { get; init; } = 30;

    /// <summary>The PostgreSQL server of the cluster part, as a connection string; null for a throw-away one.</summary>
    public string? Postgres { get; init; }

    /// <summary>Push streams in the cluster part: enough for two nodes to split them by lease.</summary>
    public int ClusterPushStreams { get; init; } = 4;

    /// <summary>The largest number of push streams the streams part makes (of 10, 1,000 and 10,000).</summary>
    public int StreamsMax { get; init; } = 10_000;

    /// <summary>The parts of the run asked for with <c>--only</c>; null for the default ones.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    public bool Runs(string part) => (Only ?? DefaultParts).Contains(part);

    /// <summary>
    /// Unmeasured running before each timed window, long enough for tiered compilation to finish on a
    /// busy two-core machine (a profile of the first seconds shows the JIT taking a sixth of the server's CPU).
    /// </summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Math.Clamp(Seconds / 2.0, 1, 5));

    public TimeSpan Window => TimeSpan.FromSeconds(Seconds);

    /// <summary>Reads the arguments after <c>load</c>; null with a message on a bad one.</summary>
    public static (LoadOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--only")
            {
                var parts = i + 1 < args.Count ? args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                if (parts.Length == 0 || parts.Any(p => !Parts.Contains(p)))
                {
                    return (null, $"--only needs one or more of {string.Join(", ", Parts)}, separated by commas");
                }

                options = options with { Only = parts };
                i++;
                continue;
            }

            if (args[i] == "--postgres")
            {
                if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    return (null, "--postgres needs a connection string");
                }

                options = options with { Postgres = args[i + 1] };
                i++;
                continue;
            }

            if (args[i] == "--console-data")
            {
                if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    return (null, "--console-data needs a directory");
                }

                options = options with { ConsoleData = args[i + 1] };
                i++;
                continue;
            }

            if (args[i] == "--stored-seed-dir")
            {
                if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    return (null, "--stored-seed-dir needs a directory");
                }

                options = options with { StoredSeedDir = args[i + 1] };
                i++;
                continue;
            }

            if (args[i] == "--stored-sizes")
            {
                var sizes = new List<int>();
                foreach (var part in i + 1 < args.Count ? args[i + 1].Split(',', StringSplitOptions.TrimEntries) : [])
                {
                    if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) || size < 0)
                    {
                        return (null, "--stored-sizes needs whole numbers of events, 0 or more, separated by commas");
                    }

                    sizes.Add(size);
                }

                if (sizes.Count == 0)
                {
                    return (null, "--stored-sizes needs whole numbers of events, 0 or more, separated by commas");
                }

                options = options with { StoredSizes = sizes };
                i++;
                continue;
            }

            if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return (null, $"{args[i]} needs a positive whole number");
            }

            switch (args[i])
            {
                case "--seconds":
                    options = options with { Seconds = value };
                    break;
                case "--publishers":
                    options = options with { Publishers = value };
                    break;
                case "--poll-events":
                    options = options with { PollEvents = value };
                    break;
                case "--push-events":
                    options = options with { PushEvents = value };
                    break;
                case "--presign":
                    options = options with { Presign = value };
                    break;
                case "--e2e-seconds":
                    options = options with { EndToEndSeconds = value };
                    break;
                case "--e2e-latency-seconds":
                    options = options with { EndToEndLatencySeconds = value };
                    break;
                case "--e2e-rate":
                    options = options with { EndToEndRate = value };
                    break;
                case "--dead-events":
                    options = options with { DeadEvents = value };
                    break;
                case "--ws-subscribers":
                    options = options with { WebSocketSubscribers = value };
                    break;
                case "--ws-broadcasts":
                    options = options with { WebSocketBroadcasts = value };
                    break;
                case "--ws-rate":
                    options = options with { WebSocketRate = value };
                    break;
                case "--cluster-push-streams" when value <= TrackingReceiver.Paths:
                    options = options with { ClusterPushStreams = value };
                    break;
                case "--retention-events":
                    options = options with { RetentionEvents = value };
                    break;
                case "--console-streams":
                    options = options with { ConsoleStreams = value };
                    break;
                case "--console-events":
                    options = options with { ConsoleEvents = value };
                    break;
                case "--console-requests":
                    options = options with { ConsoleRequests = value };
                    break;
                case "--streams-max":
                    options = options with { StreamsMax = value };
                    break;
                case "--stored-requests":
                    options = options with { StoredRequests = value };
                    break;
                case "--cluster-push-streams":
                    return (null, $"--cluster-push-streams takes at most {TrackingReceiver.Paths}");
                default:
                    return (null, "unknown option " + args[i] + "; known: --seconds, --publishers, --poll-events, --push-events, --presign, "
                        + "--e2e-seconds, --e2e-latency-seconds, --e2e-rate, --dead-events, --ws-subscribers, --ws-broadcasts, --ws-rate, "
                        + "--postgres, --cluster-push-streams, --retention-events, --console-streams, --console-events, --console-requests, --console-data, --streams-max, --stored-sizes, --stored-seed-dir, --stored-requests, --only");
            }

            i++;
        }

        return (options, null);
    }
}
