namespace SharpSignals.Bench.Support;

/// <summary>
/// Marks a benchmark whose rate is held to a share of its category's baseline (the raw operation
/// measured in the same run); <see cref="RatioReport"/> prints the figure after the run.
/// </summary>
/// <param name="target">The least acceptable rate, as a share of the baseline's rate.</param>
/// <param name="label">What the benchmark is called in the report.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RatioTargetAttribute(double target, string label) : Attribute
{
    /// <summary>The least acceptable rate, as a share of the baseline's rate.</summary>
    public double Target { get; } = target;

    /// <summary>What the benchmark is called in the report.</summary>
    public string Label { get; } = label;

    /// <summary>What one operation produces, for the allocations column (B per token, B per request).</summary>
    public string Unit { get; init; } = "op";
}
