namespace SharpSignals.Server.Tests.Telemetry;

/// <summary>
/// The telemetry tests go alone. A meter provider listens to every meter of its name in the
/// process, not only its own host's: another test's server, built and disposed beside it, shares
/// its metric streams, and its disposal takes them away mid-test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollectionDefinition
{
    public const string Name = "Telemetry";
}
