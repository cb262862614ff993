using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Retention;

/// <summary>The <c>SharpSignals:Retention</c> section.</summary>
internal sealed record RetentionOptions
{
    public const string Section = "SharpSignals:Retention";

    /// <summary>How long delivered entries, dead letters and their events stay for replay (docs/ARCHITECTURE.md, "The path of one event": 7 days).</summary>
    [Range(1, 3650)]
    public int Days { get; init; } = 7;
}
