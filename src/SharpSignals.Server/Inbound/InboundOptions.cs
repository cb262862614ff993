using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Inbound;

/// <summary>The <c>SharpSignals:Inbound</c> section: limits on what sources send.</summary>
internal sealed record InboundOptions
{
    public const string Section = "SharpSignals:Inbound";

    /// <summary>The largest SET accepted, in bytes; a larger push is refused with <c>invalid_request</c>.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxSetBytes { get; init; } = 64 * 1024;
}
