namespace SharpSignals.Storage.Tenants;

/// <summary>The tenants other than the default one, which is implicit and always exists.</summary>
public interface ITenantStore
{
    /// <summary>Every tenant, deleted ones too, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The tenants.</returns>
    ValueTask<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken);

    /// <summary>Creates a tenant unless one of that name exists or existed.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns><see langword="false"/> when the name is taken.</returns>
    ValueTask<bool> CreateTenantAsync(TenantRecord tenant, CancellationToken cancellationToken);

    /// <summary>Replaces a live tenant's admin token hash.</summary>
    /// <param name="name">The tenant.</param>
    /// <param name="adminTokenHash">The new hash.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns><see langword="false"/> when there is no such live tenant.</returns>
    ValueTask<bool> SetTenantAdminTokenHashAsync(string name, string adminTokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a live tenant: marks it deleted, and in the same transaction disables its streams and revokes its
    /// clients, access tokens and IATs, so that nothing more is routed, delivered or accepted for it. Its events
    /// and entries age out by retention.
    /// </summary>
    /// <param name="name">The tenant.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns><see langword="false"/> when there is no such live tenant.</returns>
    ValueTask<bool> DeleteTenantAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);
}
