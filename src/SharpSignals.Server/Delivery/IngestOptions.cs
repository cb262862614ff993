using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// The <c>SharpSignals:Ingest</c> section: how many incoming events are worked on at once, and when
/// intake waits for delivery. Kept beside <see cref="DeliveryLag"/>, which reads the last two, so that
/// Delivery needs nothing from Intake above it.
/// </summary>
internal sealed record IngestOptions
{
    public const string Section = "SharpSignals:Ingest";

    /// <summary>
    /// Published or received events checked, routed and signed at once; the rest wait their turn in
    /// order. 0 turns the limit off.
    /// </summary>
    [Range(0, 10000)]
    public int MaxConcurrent { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>Events that may wait for a turn; beyond that the request is answered 503 with Retry-After.</summary>
    [Range(0, 1000000)]
    public int MaxQueued { get; init; } = 10000;

    /// <summary>
    /// How old (seconds) what a push stream delivers may get, while that delay grows and the machine
    /// is short of CPU, before its project's intake waits for delivery (<see cref="DeliveryLag"/>).
    /// 0 never holds intake back.
    /// </summary>
    [Range(0, 86400)]
    public double HoldAfterDeliveryDelaySeconds { get; init; } = 2;

    /// <summary>The longest a request waits for delivery before it is answered 503 with Retry-After.</summary>
    [Range(0, 60)]
    public double MaxHoldSeconds { get; init; } = 5;
}
