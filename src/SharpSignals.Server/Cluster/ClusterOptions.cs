using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Cluster;

/// <summary>The <c>SharpSignals:Cluster</c> section: how the nodes sharing a PostgreSQL database coordinate (docs/ARCHITECTURE.md, "Cluster").</summary>
internal sealed record ClusterOptions
{
    public const string Section = "SharpSignals:Cluster";

    /// <summary>This node's name among the others; by default one generated at first start and kept in the data directory.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string? NodeId { get; init; }

    /// <summary>
    /// How long a push lease holds without renewal: a dead node's streams move to another node
    /// within about this long. Renewed every third of it.
    /// </summary>
    [Range(1, 300)]
    public double LeaseSeconds { get; init; } = 6;

    /// <summary>
    /// How often a node looks at the store whatever the notices said: wakes its waiting polls and
    /// push workers, takes over lapsed leases, and reloads streams and keys changed elsewhere.
    /// </summary>
    [Range(0.1, 60)]
    public double CheckSeconds { get; init; } = 2;
}
