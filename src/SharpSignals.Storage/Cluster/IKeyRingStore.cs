namespace SharpSignals.Storage.Cluster;

/// <summary>
/// The ASP.NET Core Data Protection key ring that every node sharing the store reads, so that a
/// secret one node encrypted (an issuer signing key, a stream's credential) can be read by all.
/// </summary>
/// <remarks>
/// The embedded store keeps no key ring (<see cref="KeepsKeyRing"/> is <see langword="false"/>):
/// its one node keeps the ring in its data directory, and the other members throw
/// <see cref="NotSupportedException"/>.
/// </remarks>
public interface IKeyRingStore
{
    /// <summary>Whether this store keeps the key ring (a store the nodes of a cluster share).</summary>
    bool KeepsKeyRing { get; }

    /// <summary>The key ring's XML elements.</summary>
    /// <returns>The elements, oldest first.</returns>
    /// <exception cref="NotSupportedException">The store keeps no key ring.</exception>
    IReadOnlyList<string> ListDataProtectionKeys();

    /// <summary>Adds an element to the key ring.</summary>
    /// <param name="name">The element's friendly name (the key id).</param>
    /// <param name="xml">The element.</param>
    /// <exception cref="NotSupportedException">The store keeps no key ring.</exception>
    void AddDataProtectionKey(string name, string xml);
}
