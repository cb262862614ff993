using System.Text.Json.Nodes;

namespace SharpSignals.Cli.Tests.Support;

/// <summary>What one run of the tool did: its exit code and what it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonNode Json => JsonNode.Parse(Out) ?? throw new InvalidOperationException("no JSON output");

    /// <summary>Asserts success and returns the standard output.</summary>
    public CliResult Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}: {Error}{Out}");
        return this;
    }

    /// <summary>Asserts a failure reported in exactly one line, with no stack trace.</summary>
    public string FailedWith(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit {exitCode}, got {ExitCode}: {Error}{Out}");
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", Error, StringComparison.Ordinal);
        return line;
    }
}
