namespace SharpSignals.Storage.Postgres;

/// <summary>Which database to use and how writes share commits.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>The Npgsql connection string (<c>Host=...;Database=...;Username=...;Password=...</c>).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// The most writes that share one transaction (and so one commit). Under load, concurrent requests
    /// wait for the commit in progress and then commit together.
    /// </summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>How many of its last delivery attempts each entry keeps (<see cref="Deliveries.AttemptLog"/>).</summary>
    public int AttemptsKept { get; init; } = Deliveries.AttemptLog.DefaultKept;
}
