using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The arguments of <c>load</c>: <c>--seconds N</c> (each measured window, 10 by default),
/// <c>--publishers N</c> (64), <c>--poll-events N</c> (the poll backlog drained, 100,000),
/// <c>--push-events N</c> (the push backlog delivered per algorithm, 30,000) and
/// <c>--only ceilings|publish|push</c> (one part of the run, to compare two builds of the server
/// quickly; <c>publish</c> includes fsyncs per event and the poll drain).
/// </summary>
internal sealed record LoadOptions
{
    public const string Ceilings = "ceilings";
    public const string Publish = "publish";
    public const string Push = "push";

    private static readonly string[] Parts = [Ceilings, Publish, Push];

    public int Seconds { get; init; } = 10;

    public int Publishers { get; init; } = 64;

    public int PollEvents { get; init; } = 100_000;

    public int PushEvents { get; init; } = 30_000;

    /// <summary>The part of the run asked for with <c>--only</c>; null for all of it.</summary>
    public string? Only { get; init; }

    public bool Runs(string part) => Only is null || Only == part;

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
                if (i + 1 >= args.Count || !Parts.Contains(args[i + 1]))
                {
                    return (null, $"--only needs one of {string.Join(", ", Parts)}");
                }

                options = options with { Only = args[++i] };
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
                default:
                    return (null, $"unknown option {args[i]}; known: --seconds, --publishers, --poll-events, --push-events, --only");
            }

            i++;
        }

        return (options, null);
    }
}
