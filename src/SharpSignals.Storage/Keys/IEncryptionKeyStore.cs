namespace SharpSignals.Storage.Keys;

/// <summary>Each tenant's encryption key pairs: at most one of each key type per tenant.</summary>
public interface IEncryptionKeyStore
{
    /// <summary>A tenant's keys, oldest first.</summary>
    /// <param name="tenant">The tenant; empty for the default tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The keys.</returns>
    ValueTask<IReadOnlyList<EncryptionKeyRecord>> ListEncryptionKeysAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>
    /// Adds keys, each unless its tenant already has a key of its type (another node of a cluster may
    /// have made it first): list the keys afterwards to know which are stored. One transaction.
    /// </summary>
    /// <param name="keys">The new keys.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many were added.</returns>
    ValueTask<int> AddEncryptionKeysAsync(IReadOnlyList<EncryptionKeyRecord> keys, CancellationToken cancellationToken);
}
