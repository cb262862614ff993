using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Streams;

/// <summary>Custom event types that are not URIs stop the start, every one named at once.</summary>
public sealed class EventTypeOptionsTests
{
    [Fact]
    public async Task CustomTypes_NotAUriOrACatalogShortName_StopTheStartNamingEach()
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path,
        [
            "--SharpSignals:Events:CustomTypes:0=session-revoked",
            "--SharpSignals:Events:Projects:p1:CustomTypes:0=door opened",
        ]);

        Assert.Contains("SharpSignals:Events:CustomTypes:0 'session-revoked' is the catalog's short name for https://schemas.openid.net/secevent/caep/event-type/session-revoked", output, StringComparison.Ordinal);
        Assert.Contains("SharpSignals:Events:Projects:p1:CustomTypes:0 'door opened' must be an event type URI", output, StringComparison.Ordinal);
    }
}
