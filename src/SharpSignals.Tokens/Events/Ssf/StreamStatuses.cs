namespace SharpSignals.Tokens.Events;

/// <summary>Stream status values (SSF 1.0 §8.1.2).</summary>
public static class StreamStatuses
{
    /// <summary>The transmitter delivers events.</summary>
    public const string Enabled = "enabled";

    /// <summary>The transmitter holds events and delivers them once enabled again.</summary>
    public const string Paused = "paused";

    /// <summary>The transmitter delivers nothing and keeps nothing.</summary>
    public const string Disabled = "disabled";

    /// <summary>Every status value.</summary>
    public static readonly IReadOnlyList<string> All = [Enabled, Paused, Disabled];
}
