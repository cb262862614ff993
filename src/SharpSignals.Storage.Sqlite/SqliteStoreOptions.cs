namespace SharpSignals.Storage.Sqlite;

/// <summary>Where the database lives and how it commits.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>The database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// The most writes that share one transaction (and so one fsync). Under load, concurrent requests
    /// wait for the commit in progress and then commit together.
    /// </summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>
    /// How long the writer keeps a batch open for more writes when it already holds more than one,
    /// that is when requests are writing concurrently; zero commits at once. A lone write never
    /// waits. As PostgreSQL's <c>commit_delay</c>: a little latency under load for fewer fsyncs.
    /// </summary>
    public TimeSpan CommitDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How many of its last delivery attempts each entry keeps (<see cref="Deliveries.AttemptLog"/>).</summary>
    public int AttemptsKept { get; init; } = Deliveries.AttemptLog.DefaultKept;
}
