using SharpSignals.Server.OperatorConsole.Overview;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>How the overview says how long the oldest pending entry has waited.</summary>
public sealed class OverviewAgeTests
{
    [Theory]
    [InlineData(-5, "0 s")]
    [InlineData(0, "0 s")]
    [InlineData(59, "59 s")]
    [InlineData(60, "1 min")]
    [InlineData(3 * 60 + 59, "3 min")]
    [InlineData(3600, "1 h")]
    [InlineData(2 * 3600 + 5 * 60, "2 h 5 min")]
    [InlineData(86_400, "1 d")]
    [InlineData(3 * 86_400 + 4 * 3600 + 59, "3 d 4 h")]
    public void Age_IsSaidInTheLargestUnitsThatFit(int seconds, string expected) =>
        Assert.Equal(expected, OverviewRow.Age(TimeSpan.FromSeconds(seconds)));
}
