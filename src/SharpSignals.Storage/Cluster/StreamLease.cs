namespace SharpSignals.Storage.Cluster;

/// <summary>One node's right to deliver a stream's pushes (<see cref="ILeaseStore.TryAcquireLeasesAsync"/>).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="NodeId">The node that holds it.</param>
/// <param name="Token">The fencing token: greater for every new grant of the stream.</param>
/// <param name="ExpiresAt">When it lapses without renewal, by the store's clock; never (<see cref="DateTimeOffset.MaxValue"/>) on the embedded store.</param>
public sealed record StreamLease(string StreamId, string NodeId, long Token, DateTimeOffset ExpiresAt);
