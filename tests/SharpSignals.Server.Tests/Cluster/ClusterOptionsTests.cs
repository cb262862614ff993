using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Cluster;

/// <summary>Bad <c>SharpSignals:Cluster</c> settings stop the start with the setting named, before anything is served.</summary>
public sealed class ClusterOptionsTests
{
    [Theory]
    [InlineData("SharpSignals:Cluster:NodeId", "node with spaces", "NodeId")]
    [InlineData("SharpSignals:Cluster:LeaseSeconds", "0", "LeaseSeconds")]
    [InlineData("SharpSignals:Cluster:CheckSeconds", "3600", "CheckSeconds")]
    public async Task BadSetting_StopsTheStart(string key, string value, string named)
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path, [$"--{key}={value}"]);

        Assert.Contains("SharpSignals did not start: " + key, output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }
}
