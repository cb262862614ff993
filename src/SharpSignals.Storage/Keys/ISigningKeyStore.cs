namespace SharpSignals.Storage.Keys;

/// <summary>Each tenant's signing keys: one active, the others retired but still published for a while.</summary>
public interface ISigningKeyStore
{
    /// <summary>Every stored key of a tenant, oldest first.</summary>
    /// <param name="tenant">The tenant (<see cref="Tenants.TenantProjects.DefaultTenant"/> for the root).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The keys.</returns>
    ValueTask<IReadOnlyList<SigningKeyRecord>> ListSigningKeysAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a new active key and retires the one that was active, in one transaction, so that there is
    /// always exactly one active key per tenant (<see cref="SigningKeyRecord.Tenant"/>). Every key still signing at the new key's
    /// <see cref="SigningKeyRecord.CreatedAt"/> (which may lie ahead: a key published before it signs)
    /// is retired then, also one that was itself to retire later: the newest rotation decides.
    /// </summary>
    /// <param name="key">The new key (its <see cref="SigningKeyRecord.RetiredAt"/> is null).</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the rotation is durable.</returns>
    ValueTask RotateSigningKeyAsync(SigningKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Deletes keys retired before <paramref name="cutoff"/>.</summary>
    /// <param name="cutoff">Keys retired earlier than this are deleted.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many were deleted.</returns>
    ValueTask<int> DeleteSigningKeysRetiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
