using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT name, admin_token_hash, created_at, deleted_at FROM tenants ORDER BY created_at, name",
            _ => { },
            r =>
            {
                var tenants = new List<TenantRecord>();
                while (r.Read())
                {
                    tenants.Add(new TenantRecord(r.GetString(0), r.GetString(1), FromUnixMs(r.GetInt64(2))) { DeletedAt = FromUnixMsOrNull(r, 3) });
                }

                return tenants;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> CreateTenantAsync(TenantRecord tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("""
                    INSERT INTO tenants (name, admin_token_hash, created_at) VALUES ($name, $hash, $created)
                    ON CONFLICT (name) DO NOTHING
                    """);
                command.Parameters.AddWithValue("$name", tenant.Name);
                command.Parameters.AddWithValue("$hash", tenant.AdminTokenHash);
                command.Parameters.AddWithValue("$created", ToUnixMs(tenant.CreatedAt));
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> SetTenantAdminTokenHashAsync(string name, string adminTokenHash, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("UPDATE tenants SET admin_token_hash = $hash WHERE name = $name AND deleted_at IS NULL");
                command.Parameters.AddWithValue("$name", name);
                command.Parameters.AddWithValue("$hash", adminTokenHash);
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteTenantAsync(string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var mark = context.Command("UPDATE tenants SET deleted_at = $at WHERE name = $name AND deleted_at IS NULL");
                mark.Parameters.AddWithValue("$name", name);
                mark.Parameters.AddWithValue("$at", ToUnixMs(at));
                if (mark.ExecuteNonQuery() == 0)
                {
                    return false;
                }

                // One transaction with the mark: the tenant's streams stop and its credentials die together.
                foreach (var sql in TenantDeletion.Statements('$'))
                {
                    var command = context.Command(sql);
                    command.Parameters.AddWithValue("$tenant_projects", TenantProjects.LikePattern(name));
                    command.Parameters.AddWithValue("$tenant", name);
                    command.Parameters.AddWithValue("$at", ToUnixMs(at));
                    command.ExecuteNonQuery();
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
}
