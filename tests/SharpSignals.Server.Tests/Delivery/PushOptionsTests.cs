using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>Bad <c>SharpSignals:Push</c> settings stop the start with the setting named.</summary>
public sealed class PushOptionsTests
{
    [Theory]
    [InlineData("Lanes", "0")]
    [InlineData("Lanes", "33")]
    [InlineData("Threads", "0")]
    [InlineData("Threads", "257")]
    public async Task OutOfRange_StopsTheStart(string setting, string value)
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path, [$"--SharpSignals:Push:{setting}={value}"]);

        Assert.Contains($"SharpSignals did not start: SharpSignals:Push:{setting}", output, StringComparison.Ordinal);
    }
}
