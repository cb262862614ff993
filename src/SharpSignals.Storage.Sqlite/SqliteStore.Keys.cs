using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListSigningKeysAsync(string tenant, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT kid, algorithm, protected_private_key, created_at, retired_at, tenant FROM signing_keys WHERE tenant = $tenant ORDER BY created_at, kid",
            p => p.AddWithValue("$tenant", tenant),
            r =>
            {
                var keys = new List<SigningKeyRecord>();
                while (r.Read())
                {
                    keys.Add(new SigningKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), FromUnixMs(r.GetInt64(3)))
                    {
                        RetiredAt = FromUnixMsOrNull(r, 4),
                        Tenant = r.GetString(5),
                    });
                }

                return keys;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask RotateSigningKeyAsync(SigningKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.RetiredAt is not null)
        {
            throw new ArgumentException("The new signing key must be active (RetiredAt null).", nameof(key));
        }

        await _writer.ExecuteAsync(
            context =>
            {
                // Retire first: ux_signing_keys_one_active refuses a second active row of the tenant. The old key
                // retires at the new key's creation, so the two periods meet with no gap. One write,
                // one transaction: a failed insert (a kid already used) leaves the old key active.
                var retire = context.Command("UPDATE signing_keys SET retired_at = $at WHERE tenant = $tenant AND (retired_at IS NULL OR retired_at > $at)");
                retire.Parameters.AddWithValue("$at", ToUnixMs(key.CreatedAt));
                retire.Parameters.AddWithValue("$tenant", key.Tenant);
                retire.ExecuteNonQuery();

                var insert = context.Command("""
                    INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at, retired_at, tenant)
                    VALUES ($kid, $algorithm, $key, $created, NULL, $tenant)
                    """);
                insert.Parameters.AddWithValue("$tenant", key.Tenant);
                insert.Parameters.AddWithValue("$kid", key.KeyId);
                insert.Parameters.AddWithValue("$algorithm", key.Algorithm);
                insert.Parameters.AddWithValue("$key", key.ProtectedPrivateKey);
                insert.Parameters.AddWithValue("$created", ToUnixMs(key.CreatedAt));
                return insert.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<int> DeleteSigningKeysRetiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                // retired_at IS NULL (the active key) never compares below the cutoff, so it is never deleted.
                var command = context.Command("DELETE FROM signing_keys WHERE retired_at < $cutoff");
                command.Parameters.AddWithValue("$cutoff", ToUnixMs(cutoff));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
}
