using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SharpSignals.Storage;

/// <summary>
/// The stores' own meter, <c>SharpSignals.Storage</c>: how many writes each group commit carries and
/// how long it takes (docs/ARCHITECTURE.md, "Durability"). A store has no service provider to take an
/// <see cref="IMeterFactory"/> from, so, as database drivers do, the meter is one per process; the
/// <c>db.system</c> label tells the stores apart.
/// </summary>
public static class StorageMetrics
{
    /// <summary>The meter's name, under the project's <c>SharpSignals*</c>.</summary>
    public const string MeterName = "SharpSignals.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram(
        "sharpsignals.storage.commit.batch_size",
        "{write}",
        "Writes committed together in one transaction (group commit).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "sharpsignals.storage.commit.duration",
        "s",
        "How long a group commit took, from its first statement to its durable commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>Records one commit.</summary>
    /// <param name="system">The database, as OpenTelemetry names it: <c>sqlite</c>, <c>postgresql</c>.</param>
    /// <param name="writes">How many writes the transaction carried.</param>
    /// <param name="startedAt">The <see cref="Stopwatch.GetTimestamp"/> when the transaction began.</param>
    public static void Committed(string system, int writes, long startedAt)
    {
        if (BatchSize.Enabled || Duration.Enabled)
        {
            var tag = new KeyValuePair<string, object?>("db.system", system);
            BatchSize.Record(writes, tag);
            Duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tag);
        }
    }
}
