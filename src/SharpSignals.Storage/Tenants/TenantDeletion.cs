namespace SharpSignals.Storage.Tenants;

/// <summary>
/// What deleting a tenant does to its rows, for both stores (<see cref="ITenantStore.DeleteTenantAsync"/>),
/// with the parameters <c>tenant_projects</c> (<see cref="TenantProjects.LikePattern"/>), <c>tenant</c> and
/// <c>at</c> (a time in the store's own form).
/// </summary>
public static class TenantDeletion
{
    /// <summary>The statements, in order.</summary>
    /// <param name="prefix">How the database marks a named parameter: <c>$</c> or <c>@</c>.</param>
    /// <returns>The SQL statements.</returns>
    public static IReadOnlyList<string> Statements(char prefix) =>
    [
        $"UPDATE streams SET status = 'disabled', status_reason = 'tenant deleted', updated_at = {prefix}at WHERE project LIKE {prefix}tenant_projects AND status <> 'disabled'",
        $"UPDATE clients SET revoked_at = {prefix}at WHERE project LIKE {prefix}tenant_projects AND revoked_at IS NULL",
        $"DELETE FROM access_tokens WHERE project LIKE {prefix}tenant_projects",
        $"DELETE FROM initial_access_tokens WHERE project LIKE {prefix}tenant_projects",
        $"DELETE FROM signing_keys WHERE tenant = {prefix}tenant",
        $"DELETE FROM encryption_keys WHERE tenant = {prefix}tenant",
    ];
}
