using Npgsql;
using SharpSignals.Storage.Clients;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>Expired access tokens; served by ix_access_tokens_expires_at.</summary>
    internal const string DeleteExpiredAccessTokensSql = "DELETE FROM access_tokens WHERE expires_at < @now";

    private const string AdminTokenHashKey = "admin_token_hash";

    private const string ClientColumns = "client_id, project, name, secret_hash, scope, created_at, revoked_at";

    private const string UpsertSetting = """
        INSERT INTO server_settings (key, value) VALUES (@key, @value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """;

    // Inserting through a SELECT of a live client makes a token for an unknown or revoked client
    // fail, also when the revocation committed after the caller checked the client.
    private const string InsertAccessToken = """
        INSERT INTO access_tokens (token_hash, client_id, project, scope, expires_at)
        SELECT @hash, client_id, @project, @scope, @expires FROM clients WHERE client_id = @client AND revoked_at IS NULL
        """;

    // A reusable token matches and stays as it is; a single-use one matches only while unused, and is
    // spent by the same statement. Of two concurrent spends the second waits for the first's row lock,
    // then re-reads the row (READ COMMITTED) and no longer matches.
    private const string SpendInitialAccessToken = """
        UPDATE initial_access_tokens SET used_at = CASE WHEN single_use THEN @at ELSE used_at END
        WHERE token_hash = @hash AND (NOT single_use OR used_at IS NULL)
        """;

    /// <inheritdoc/>
    public async ValueTask<string?> GetAdminTokenHashAsync(CancellationToken cancellationToken) =>
        await ReadOneAsync(
            "SELECT value FROM server_settings WHERE key = @key",
            p => p.Text("key", AdminTokenHashKey),
            r => r.GetString(0),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask SetAdminTokenHashAsync(string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        await _writer.ExecuteAsync(context => WriteSettingAsync(context, AdminTokenHashKey, hash), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask CreateInitialAccessTokenAsync(InitialAccessTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command("""
                    INSERT INTO initial_access_tokens (token_hash, project, created_at, expires_at, single_use, used_at)
                    VALUES (@hash, @project, @created, @expires, @single_use, @used)
                    """);
                command.Parameters.Text("hash", token.TokenHash);
                command.Parameters.Text("project", token.Project);
                command.Parameters.Time("created", token.CreatedAt);
                command.Parameters.Time("expires", token.ExpiresAt);
                command.Parameters.Boolean("single_use", token.SingleUse);
                command.Parameters.Time("used", token.UsedAt);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<InitialAccessTokenRecord?> FindInitialAccessTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            "SELECT token_hash, project, created_at, expires_at, single_use, used_at FROM initial_access_tokens WHERE token_hash = @hash",
            p => p.Text("hash", tokenHash),
            r => new InitialAccessTokenRecord(r.GetString(0), r.GetString(1), ReadTime(r, 2), ReadTime(r, 3))
            {
                SingleUse = r.GetBoolean(4),
                UsedAt = ReadTimeOrNull(r, 5),
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask CreateClientAsync(ClientRecord client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await _writer.ExecuteAsync(context => WriteClientAsync(context, client), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RegisterClientAsync(ClientRecord client, string initialAccessTokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await _writer.ExecuteAsync(
            async context =>
            {
                // The counted-writes lock first: a group commit may spend several tokens, and two
                // batches spending theirs in opposite orders would deadlock on the token rows.
                await using (var serialise = context.Command(LockCountedSql))
                {
                    await serialise.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await using (var spend = context.Command(SpendInitialAccessToken))
                {
                    spend.Parameters.Text("hash", initialAccessTokenHash);
                    spend.Parameters.Time("at", client.CreatedAt);
                    if (await spend.ExecuteNonQueryAsync().ConfigureAwait(false) == 0)
                    {
                        return false;
                    }
                }

                await WriteClientAsync(context, client).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ClientRecord?> GetClientAsync(string clientId, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"SELECT {ClientColumns} FROM clients WHERE client_id = @client",
            p => p.Text("client", clientId),
            ReadClient,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ClientRecord>> ListClientsAsync(string? project, CancellationToken cancellationToken) =>
        await ReadListAsync(
            project is null
                ? $"SELECT {ClientColumns} FROM clients ORDER BY created_at, client_id"
                : $"SELECT {ClientColumns} FROM clients WHERE project = @project ORDER BY created_at, client_id",
            p =>
            {
                if (project is not null)
                {
                    p.Text("project", project);
                }
            },
            ReadClient,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> RevokeClientAsync(string clientId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using (var revoke = context.Command("UPDATE clients SET revoked_at = @at WHERE client_id = @client AND revoked_at IS NULL"))
                {
                    revoke.Parameters.Time("at", at);
                    revoke.Parameters.Text("client", clientId);
                    if (await revoke.ExecuteNonQueryAsync().ConfigureAwait(false) == 0)
                    {
                        return false;
                    }
                }

                // Same write, same transaction: no moment where the client is revoked but its tokens still work.
                await using var tokens = context.Command("DELETE FROM access_tokens WHERE client_id = @client");
                tokens.Parameters.Text("client", clientId);
                await tokens.ExecuteNonQueryAsync().ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask StoreAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command(InsertAccessToken);
                command.Parameters.Text("hash", token.TokenHash);
                command.Parameters.Text("project", token.Project);
                command.Parameters.Text("scope", token.Scope);
                command.Parameters.Time("expires", token.ExpiresAt);
                command.Parameters.Text("client", token.ClientId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1
                    ? 1
                    : throw new InvalidOperationException($"Client {token.ClientId} is unknown or revoked; no access token is stored for it.");
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<AccessTokenRecord?> FindAccessTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            "SELECT token_hash, client_id, project, scope, expires_at FROM access_tokens WHERE token_hash = @hash",
            p => p.Text("hash", tokenHash),
            r => new AccessTokenRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ReadTime(r, 4)),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DeleteExpiredAccessTokensAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command(DeleteExpiredAccessTokensSql);
                command.Parameters.Time("now", now);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    private static async Task<int> WriteClientAsync(PostgresWriteContext context, ClientRecord client)
    {
        await using var command = context.Command("""
            INSERT INTO clients (client_id, project, name, secret_hash, scope, created_at, revoked_at)
            VALUES (@client, @project, @name, @secret, @scope, @created, @revoked)
            """);
        command.Parameters.Text("client", client.ClientId);
        command.Parameters.Text("project", client.Project);
        command.Parameters.Text("name", client.Name);
        command.Parameters.Text("secret", client.SecretHash);
        command.Parameters.Text("scope", client.Scope);
        command.Parameters.Time("created", client.CreatedAt);
        command.Parameters.Time("revoked", client.RevokedAt);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static async Task<int> WriteSettingAsync(PostgresWriteContext context, string key, string value)
    {
        await using var command = context.Command(UpsertSetting);
        command.Parameters.Text("key", key);
        command.Parameters.Text("value", value);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static ClientRecord ReadClient(NpgsqlDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            ReadTime(reader, 5))
        {
            RevokedAt = ReadTimeOrNull(reader, 6),
        };
}
