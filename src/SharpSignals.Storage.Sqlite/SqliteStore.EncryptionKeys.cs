using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<EncryptionKeyRecord>> ListEncryptionKeysAsync(string tenant, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT tenant, kid, key_type, protected_private_key, created_at FROM encryption_keys WHERE tenant = $tenant AND retired_at IS NULL ORDER BY created_at, kid",
            p => p.AddWithValue("$tenant", tenant),
            r =>
            {
                var keys = new List<EncryptionKeyRecord>();
                while (r.Read())
                {
                    keys.Add(new EncryptionKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), FromUnixMs(r.GetInt64(4))));
                }

                return keys;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> AddEncryptionKeysAsync(IReadOnlyList<EncryptionKeyRecord> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return await _writer.ExecuteAsync(
            context =>
            {
                var added = 0;
                foreach (var key in keys)
                {
                    // ux_encryption_keys_one_per_type: a type the tenant already has is left as it is.
                    var insert = context.Command("""
                        INSERT INTO encryption_keys (tenant, kid, key_type, protected_private_key, created_at, retired_at)
                        VALUES ($tenant, $kid, $type, $key, $created, NULL)
                        ON CONFLICT DO NOTHING
                        """);
                    insert.Parameters.AddWithValue("$tenant", key.Tenant);
                    insert.Parameters.AddWithValue("$kid", key.KeyId);
                    insert.Parameters.AddWithValue("$type", key.KeyType);
                    insert.Parameters.AddWithValue("$key", key.ProtectedPrivateKey);
                    insert.Parameters.AddWithValue("$created", ToUnixMs(key.CreatedAt));
                    added += insert.ExecuteNonQuery();
                }

                return added;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
