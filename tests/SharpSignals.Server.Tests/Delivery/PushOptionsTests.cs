using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>Bad <c>SharpSignals:Push</c> settings stop the start with the setting named.</summary>
public sealed class PushOptionsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("33")]
    public async Task Lanes_OutOfRange_StopsTheStart(string lanes)
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path, [$"--SharpSignals:Push:Lanes={lanes}"]);

        Assert.Contains("SharpSignals did not start: SharpSignals:Push:Lanes", output, StringComparison.Ordinal);
    }
}
