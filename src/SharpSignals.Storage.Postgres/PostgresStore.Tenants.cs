using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken) =>
        await ReadListAsync(
            "SELECT name, admin_token_hash, created_at, deleted_at FROM tenants ORDER BY created_at, name",
            _ => { },
            r => new TenantRecord(r.GetString(0), r.GetString(1), ReadTime(r, 2)) { DeletedAt = ReadTimeOrNull(r, 3) },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> CreateTenantAsync(TenantRecord tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command("""
                    INSERT INTO tenants (name, admin_token_hash, created_at) VALUES (@name, @hash, @created)
                    ON CONFLICT (name) DO NOTHING
                    """);
                command.Parameters.Text("name", tenant.Name);
                command.Parameters.Text("hash", tenant.AdminTokenHash);
                command.Parameters.Time("created", tenant.CreatedAt);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> SetTenantAdminTokenHashAsync(string name, string adminTokenHash, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command("UPDATE tenants SET admin_token_hash = @hash WHERE name = @name AND deleted_at IS NULL");
                command.Parameters.Text("name", name);
                command.Parameters.Text("hash", adminTokenHash);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteTenantAsync(string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using (var mark = context.Command("UPDATE tenants SET deleted_at = @at WHERE name = @name AND deleted_at IS NULL"))
                {
                    mark.Parameters.Text("name", name);
                    mark.Parameters.Time("at", at);
                    if (await mark.ExecuteNonQueryAsync().ConfigureAwait(false) == 0)
                    {
                        return false;
                    }
                }

                // One transaction with the mark: the tenant's streams stop and its credentials die together.
                foreach (var sql in TenantDeletion.Statements('@'))
                {
                    await using var command = context.Command(sql);
                    command.Parameters.Text("tenant_projects", TenantProjects.LikePattern(name));
                    command.Parameters.Text("tenant", name);
                    command.Parameters.Time("at", at);
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
}
