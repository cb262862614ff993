using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>Bad <c>SharpSignals:Ingest</c> settings for the hold on intake stop the start with the setting named.</summary>
public sealed class IngestOptionsTests
{
    [Theory]
    [InlineData("HoldAfterDeliveryDelaySeconds", "-1")]
    [InlineData("MaxHoldSeconds", "61")]
    public async Task HoldSetting_OutOfRange_StopsTheStart(string setting, string value)
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path, [$"--SharpSignals:Ingest:{setting}={value}"]);

        Assert.Contains($"SharpSignals did not start: SharpSignals:Ingest:{setting}", output, StringComparison.Ordinal);
    }
}
