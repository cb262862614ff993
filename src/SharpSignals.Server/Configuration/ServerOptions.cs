using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Configuration;

/// <summary>The <c>SharpSignals</c> configuration section (docs/CONFIGURATION.md, "Server").</summary>
internal sealed record ServerOptions
{
    public const string Section = "SharpSignals";

    public const string SqliteStorage = "sqlite";

    public const string PostgresStorage = "postgres";

    /// <summary>The name under <c>ConnectionStrings</c> of the PostgreSQL database.</summary>
    public const string PostgresConnectionName = "Postgres";

    /// <summary>Everything the server keeps: database, key ring, admin token.</summary>
    [Required]
    public string DataDirectory { get; init; } = "./data";

    /// <summary>The <c>iss</c> of every SET this server signs; defaults to the first listening address.</summary>
    public string? Issuer { get; init; }

    /// <summary><c>sqlite</c> (embedded, one node) or <c>postgres</c> (cluster, with <c>ConnectionStrings:Postgres</c>).</summary>
    public string Storage { get; init; } = SqliteStorage;

    /// <summary>Development only: accept and advertise http:// URLs and private push targets.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>
    /// How long a stopping server (SIGTERM) may take to end its open connections and hand its work
    /// back before it exits: the host's <see cref="HostOptions.ShutdownTimeout"/>. Below the
    /// orchestrator's grace period (Kubernetes' 30 s), so the server is never killed mid-commit.
    /// </summary>
    [Range(1, 3600)]
    public int ShutdownTimeoutSeconds { get; init; } = 10;

    /// <summary>How new issuer keys are made.</summary>
    [Required]
    public SigningOptions Signing { get; init; } = new();

    /// <summary>The data directory as an absolute path.</summary>
    public string DataPath => Path.GetFullPath(DataDirectory);
}
