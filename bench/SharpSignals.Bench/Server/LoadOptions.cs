using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The arguments of <c>load</c>: <c>--seconds N</c> (each measured window, 10 by default),
/// <c>--publishers N</c> (64), <c>--poll-events N</c> (the poll backlog drained, 100,000) and
/// <c>--push-events N</c> (the push backlog delivered per algorithm, 30,000).
/// </summary>
internal sealed record LoadOptions
{
    public int Seconds { get; init; } = 10;

    public int Publishers { get; init; } = 64;

    public int PollEvents { get; init; } = 100_000;

    public int PushEvents { get; init; } = 30_000;

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
                    return (null, $"unknown option {args[i]}; known: --seconds, --publishers, --poll-events, --push-events");
            }

            i++;
        }

        return (options, null);
    }
}
