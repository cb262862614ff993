using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Clients;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>Expired access tokens; served by ix_access_tokens_expires_at.</summary>
    internal const string DeleteExpiredAccessTokensSql = "DELETE FROM access_tokens WHERE expires_at < $now";

    private const string AdminTokenHashKey = "admin_token_hash";

    private const string ClientColumns = "client_id, project, name, secret_hash, scope, created_at, revoked_at";

    private const string UpsertSetting = """
        INSERT INTO server_settings (key, value) VALUES ($key, $value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """;

    // Inserting through a SELECT of a live client makes a token for an unknown or revoked client
    // fail, also when the revocation committed after the caller checked the client.
    private const string InsertAccessToken = """
        INSERT INTO access_tokens (token_hash, client_id, project, scope, expires_at)
        SELECT $hash, client_id, $project, $scope, $expires FROM clients WHERE client_id = $client AND revoked_at IS NULL
        """;

    // A reusable token matches and stays as it is; a single-use one matches only while unused, and is
    // spent by the same statement.
    private const string SpendInitialAccessToken = """
        UPDATE initial_access_tokens SET used_at = CASE WHEN single_use = 1 THEN $at ELSE used_at END
        WHERE token_hash = $hash AND (single_use = 0 OR used_at IS NULL)
        """;

    /// <inheritdoc/>
    public async ValueTask<string?> GetAdminTokenHashAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT value FROM server_settings WHERE key = $key",
            p => p.AddWithValue("$key", AdminTokenHashKey),
            r => r.Read() ? r.GetString(0) : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask SetAdminTokenHashAsync(string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        await _writer.ExecuteAsync(context => WriteSetting(context, AdminTokenHashKey, hash), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask CreateInitialAccessTokenAsync(InitialAccessTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("""
                    INSERT INTO initial_access_tokens (token_hash, project, created_at, expires_at, single_use, used_at)
                    VALUES ($hash, $project, $created, $expires, $single_use, $used)
                    """);
                command.Parameters.AddWithValue("$hash", token.TokenHash);
                command.Parameters.AddWithValue("$project", token.Project);
                command.Parameters.AddWithValue("$created", ToUnixMs(token.CreatedAt));
                command.Parameters.AddWithValue("$expires", ToUnixMs(token.ExpiresAt));
                command.Parameters.AddWithValue("$single_use", token.SingleUse ? 1 : 0);
                command.Parameters.AddWithValue("$used", ToUnixMsOrNull(token.UsedAt));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<InitialAccessTokenRecord?> FindInitialAccessTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT token_hash, project, created_at, expires_at, single_use, used_at FROM initial_access_tokens WHERE token_hash = $hash",
            p => p.AddWithValue("$hash", tokenHash),
            r => r.Read()
                ? new InitialAccessTokenRecord(r.GetString(0), r.GetString(1), FromUnixMs(r.GetInt64(2)), FromUnixMs(r.GetInt64(3)))
                {
                    SingleUse = r.GetInt64(4) != 0,
                    UsedAt = FromUnixMsOrNull(r, 5),
                }
                : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask CreateClientAsync(ClientRecord client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await _writer.ExecuteAsync(context => WriteClient(context, client), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RegisterClientAsync(ClientRecord client, string initialAccessTokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await _writer.ExecuteAsync(
            context =>
            {
                // The one writer runs this whole: no other registration comes between the spend and the insert.
                var spend = context.Command(SpendInitialAccessToken);
                spend.Parameters.AddWithValue("$hash", initialAccessTokenHash);
                spend.Parameters.AddWithValue("$at", ToUnixMs(client.CreatedAt));
                if (spend.ExecuteNonQuery() == 0)
                {
                    return false;
                }

                WriteClient(context, client);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ClientRecord?> GetClientAsync(string clientId, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT {ClientColumns} FROM clients WHERE client_id = $client",
            p => p.AddWithValue("$client", clientId),
            r => r.Read() ? ReadClient(r) : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ClientRecord>> ListClientsAsync(string? project, CancellationToken cancellationToken) =>
        await ReadAsync(
            project is null
                ? $"SELECT {ClientColumns} FROM clients ORDER BY created_at, client_id"
                : $"SELECT {ClientColumns} FROM clients WHERE project = $project ORDER BY created_at, client_id",
            p => p.AddWithValue("$project", (object?)project ?? DBNull.Value),
            r =>
            {
                var clients = new List<ClientRecord>();
                while (r.Read())
                {
                    clients.Add(ReadClient(r));
                }

                return clients;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> RevokeClientAsync(string clientId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var revoke = context.Command("UPDATE clients SET revoked_at = $at WHERE client_id = $client AND revoked_at IS NULL");
                revoke.Parameters.AddWithValue("$at", ToUnixMs(at));
                revoke.Parameters.AddWithValue("$client", clientId);
                if (revoke.ExecuteNonQuery() == 0)
                {
                    return false;
                }

                // Same write, same transaction: no moment where the client is revoked but its tokens still work.
                var tokens = context.Command("DELETE FROM access_tokens WHERE client_id = $client");
                tokens.Parameters.AddWithValue("$client", clientId);
                tokens.ExecuteNonQuery();
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask StoreAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command(InsertAccessToken);
                command.Parameters.AddWithValue("$hash", token.TokenHash);
                command.Parameters.AddWithValue("$project", token.Project);
                command.Parameters.AddWithValue("$scope", token.Scope);
                command.Parameters.AddWithValue("$expires", ToUnixMs(token.ExpiresAt));
                command.Parameters.AddWithValue("$client", token.ClientId);
                return command.ExecuteNonQuery() == 1
                    ? 1
                    : throw new InvalidOperationException($"Client {token.ClientId} is unknown or revoked; no access token is stored for it.");
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<AccessTokenRecord?> FindAccessTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT token_hash, client_id, project, scope, expires_at FROM access_tokens WHERE token_hash = $hash",
            p => p.AddWithValue("$hash", tokenHash),
            r => r.Read()
                ? new AccessTokenRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), FromUnixMs(r.GetInt64(4)))
                : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DeleteExpiredAccessTokensAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command(DeleteExpiredAccessTokensSql);
                command.Parameters.AddWithValue("$now", ToUnixMs(now));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    private static int WriteClient(SqliteWriteContext context, ClientRecord client)
    {
        var command = context.Command("""
            INSERT INTO clients (client_id, project, name, secret_hash, scope, created_at, revoked_at)
            VALUES ($client, $project, $name, $secret, $scope, $created, $revoked)
            """);
        command.Parameters.AddWithValue("$client", client.ClientId);
        command.Parameters.AddWithValue("$project", client.Project);
        command.Parameters.AddWithValue("$name", client.Name);
        command.Parameters.AddWithValue("$secret", client.SecretHash);
        command.Parameters.AddWithValue("$scope", client.Scope);
        command.Parameters.AddWithValue("$created", ToUnixMs(client.CreatedAt));
        command.Parameters.AddWithValue("$revoked", ToUnixMsOrNull(client.RevokedAt));
        return command.ExecuteNonQuery();
    }

    private static int WriteSetting(SqliteWriteContext context, string key, string value)
    {
        var command = context.Command(UpsertSetting);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        return command.ExecuteNonQuery();
    }

    private static ClientRecord ReadClient(SqliteDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            FromUnixMs(reader.GetInt64(5)))
        {
            RevokedAt = FromUnixMsOrNull(reader, 6),
        };
}
