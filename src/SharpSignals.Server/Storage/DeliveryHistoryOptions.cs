using System.ComponentModel.DataAnnotations;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Storage;

/// <summary>
/// The <c>SharpSignals:DeliveryHistory</c> section: what each delivery entry keeps of its attempts
/// (docs/API.md, "Events"), for as long as the entry is kept (<c>SharpSignals:Retention</c>).
/// </summary>
internal sealed record DeliveryHistoryOptions
{
    public const string Section = "SharpSignals:DeliveryHistory";

    /// <summary>How many of its last attempts each entry keeps; older ones are dropped as new ones come.</summary>
    [Range(1, 100)]
    public int AttemptsKept { get; init; } = AttemptLog.DefaultKept;
}
