namespace SharpSignals.Server.Tests.Cluster;

/// <summary>The cluster tests start several server processes each: one test at a time, beside the others.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollectionDefinition
{
    public const string Name = "Cluster nodes";
}
