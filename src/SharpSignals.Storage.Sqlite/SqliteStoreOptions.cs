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
}
