using SharpSignals.Storage.Keys;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListSigningKeysAsync(string tenant, CancellationToken cancellationToken) =>
        await ReadListAsync(
            "SELECT kid, algorithm, protected_private_key, created_at, retired_at, tenant FROM signing_keys WHERE tenant = @tenant ORDER BY created_at, kid",
            p => p.Text("tenant", tenant),
            r => new SigningKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), ReadTime(r, 3)) { RetiredAt = ReadTimeOrNull(r, 4), Tenant = r.GetString(5) },
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
            async context =>
            {
                // Retire first: ux_signing_keys_one_active refuses a second active row, also when two
                // nodes rotate at once. The old key retires at the new key's creation, so the two
                // periods meet with no gap. One write, one transaction: a failed insert (a kid
                // already used) leaves the old key active.
                await using (var retire = context.Command("UPDATE signing_keys SET retired_at = @at WHERE tenant = @tenant AND (retired_at IS NULL OR retired_at > @at)"))
                {
                    retire.Parameters.Time("at", key.CreatedAt);
                    retire.Parameters.Text("tenant", key.Tenant);
                    await retire.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await using var insert = context.Command("""
                    INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at, retired_at, tenant)
                    VALUES (@kid, @algorithm, @key, @created, NULL, @tenant)
                    """);
                insert.Parameters.Text("tenant", key.Tenant);
                insert.Parameters.Text("kid", key.KeyId);
                insert.Parameters.Text("algorithm", key.Algorithm);
                insert.Parameters.Text("key", key.ProtectedPrivateKey);
                insert.Parameters.Time("created", key.CreatedAt);
                return await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<int> DeleteSigningKeysRetiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                // retired_at IS NULL (the active key) never compares below the cutoff, so it is never deleted.
                await using var command = context.Command("DELETE FROM signing_keys WHERE retired_at < @cutoff");
                command.Parameters.Time("cutoff", cutoff);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
}
