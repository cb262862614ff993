namespace SharpSignals.Server.Tests.Durability;

/// <summary>
/// The crash-safety runs go alone: a child server, its publishers and its receivers need the
/// machine's cores, and other tests' servers beside them would only blur where the kill lands.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashSafetyCollectionDefinition
{
    public const string Name = "Crash safety";
}
