using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>One figure of the load run beside the ceiling it is held against and its target.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The figure.</param>
/// <param name="Format">How the figure, its ceiling and its target are printed.</param>
/// <param name="Ceiling">The raw operation it is compared with, measured in the same run, if any.</param>
/// <param name="Target">The target, if any.</param>
/// <param name="AtMost">Whether the target is an upper bound (fsyncs, memory) rather than a lower one.</param>
internal sealed record Figure(string Name, double Value, string Format, Ceiling? Ceiling, double? Target, bool AtMost = false)
{
    public string Verdict => Target is not { } target ? "-" : (AtMost ? Value <= target : Value >= target) ? "met" : "MISSED";
}

/// <summary>A raw rate (or, with another format and unit, a raw latency) measured in the same run.</summary>
internal sealed record Ceiling(string Name, double Value, string Format = "N0", string Unit = "/s")
{
    public override string ToString() => Value.ToString(Format, CultureInfo.InvariantCulture) + Unit;
}

/// <summary>Prints the figures as a Markdown table: figure, ceiling, ratio, target, met.</summary>
internal static class LoadReport
{
    public static void Write(TextWriter output, IEnumerable<Ceiling> ceilings, IEnumerable<Figure> figures, IEnumerable<string> details)
    {
        output.WriteLine();
        output.WriteLine("| ceiling (raw, this run) | rate |");
        output.WriteLine("|---|---:|");
        foreach (var ceiling in ceilings.Where(c => !double.IsNaN(c.Value)))
        {
            output.WriteLine($"| {ceiling.Name} | {ceiling} |");
        }

        output.WriteLine();
        output.WriteLine("| figure | measured | ceiling | ratio | target | met? |");
        output.WriteLine("|---|---:|---|---:|---:|---|");
        foreach (var figure in figures.Where(f => !double.IsNaN(f.Value)))
        {
            var value = figure.Value.ToString(figure.Format, CultureInfo.InvariantCulture);
            var ceiling = figure.Ceiling is { } c && !double.IsNaN(c.Value) ? $"{c.Name}: {c}" : "-";
            var ratio = figure.Ceiling is { Value: > 0 } r && !double.IsNaN(r.Value) ? (figure.Value / r.Value).ToString("F2", CultureInfo.InvariantCulture) : "-";
            var target = figure.Target is { } t ? (figure.AtMost ? "≤ " : "≥ ") + t.ToString(figure.Format, CultureInfo.InvariantCulture) : "-";
            output.WriteLine($"| {figure.Name} | {value} | {ceiling} | {ratio} | {target} | {figure.Verdict} |");
        }

        output.WriteLine();
        foreach (var line in details)
        {
            output.WriteLine("- " + line);
        }
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
