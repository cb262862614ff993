namespace SharpSignals.Server.OperatorConsole.History;

/// <summary>What a chart covers: <see cref="Points"/> periods of <see cref="Step"/>, the last one the period now running.</summary>
internal sealed class HistoryRange
{
    /// <summary>The last hour, a point a minute.</summary>
    public static readonly HistoryRange Hour = new(TimeSpan.FromMinutes(1), 60);

    /// <summary>The last day, a point each quarter hour.</summary>
    public static readonly HistoryRange Day = new(TimeSpan.FromMinutes(15), 96);

    private HistoryRange(TimeSpan step, int points)
    {
        Step = step;
        Points = points;
        StepMinutes = (long)step.TotalMinutes;
    }

    /// <summary>How long each point covers.</summary>
    public TimeSpan Step { get; }

    /// <summary>How many points a chart has.</summary>
    public int Points { get; }

    /// <summary><see cref="Step"/> in whole minutes.</summary>
    internal long StepMinutes { get; }

    /// <summary>The first minute (minutes since the Unix epoch) of the period that holds <paramref name="minute"/>.</summary>
    internal long PeriodOf(long minute) => minute - (minute % StepMinutes);

    /// <summary>The first minute of the chart's first point when <paramref name="currentMinute"/> is running.</summary>
    internal long FirstMinute(long currentMinute) => PeriodOf(currentMinute) - ((Points - 1) * StepMinutes);
}
