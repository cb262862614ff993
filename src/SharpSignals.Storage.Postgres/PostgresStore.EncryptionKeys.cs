using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<EncryptionKeyRecord>> ListEncryptionKeysAsync(string tenant, CancellationToken cancellationToken) =>
        await ReadListAsync(
            "SELECT tenant, kid, key_type, protected_private_key, created_at FROM encryption_keys WHERE tenant = @tenant AND retired_at IS NULL ORDER BY created_at, kid",
            p => p.Text("tenant", tenant),
            r => new EncryptionKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ReadTime(r, 4)),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> AddEncryptionKeysAsync(IReadOnlyList<EncryptionKeyRecord> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return await _writer.ExecuteAsync(
            async context =>
            {
                var added = 0;
                foreach (var key in keys)
                {
                    // ux_encryption_keys_one_per_type: a type the tenant already has (another node made it) is left as it is.
                    await using var insert = context.Command("""
                        INSERT INTO encryption_keys (tenant, kid, key_type, protected_private_key, created_at, retired_at)
                        VALUES (@tenant, @kid, @type, @key, @created, NULL)
                        ON CONFLICT DO NOTHING
                        """);
                    insert.Parameters.Text("tenant", key.Tenant);
                    insert.Parameters.Text("kid", key.KeyId);
                    insert.Parameters.Text("type", key.KeyType);
                    insert.Parameters.Text("key", key.ProtectedPrivateKey);
                    insert.Parameters.Time("created", key.CreatedAt);
                    added += await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                return added;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
