namespace SharpSignals.Storage.Clients;

/// <summary>Who may call the server: the admin token's hash, initial access tokens, clients and their access tokens.</summary>
public interface IClientStore
{
    /// <summary>The hash of the admin token, or null before the first start completed.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The hash.</returns>
    ValueTask<string?> GetAdminTokenHashAsync(CancellationToken cancellationToken);

    /// <summary>Stores the hash of the admin token.</summary>
    /// <param name="hash">The hash.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the hash is durable.</returns>
    ValueTask SetAdminTokenHashAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Stores a new initial access token.</summary>
    /// <param name="token">The token's record.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the token is durable.</returns>
    ValueTask CreateInitialAccessTokenAsync(InitialAccessTokenRecord token, CancellationToken cancellationToken);

    /// <summary>Finds an initial access token by hash.</summary>
    /// <param name="tokenHash">The hash.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<InitialAccessTokenRecord?> FindInitialAccessTokenAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Stores a new client.</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the client is durable.</returns>
    ValueTask CreateClientAsync(ClientRecord client, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new client registered with an initial access token; a single-use token is spent in
    /// the same transaction, so of two registrations with one single-use token exactly one succeeds.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="initialAccessTokenHash">The hash of the initial access token it registered with.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>True when the client is durable; false, with nothing stored, when the token is unknown or a spent single-use token.</returns>
    ValueTask<bool> RegisterClientAsync(ClientRecord client, string initialAccessTokenHash, CancellationToken cancellationToken);

    /// <summary>Finds a client.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The client, or null.</returns>
    ValueTask<ClientRecord?> GetClientAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Every client, or a project's.</summary>
    /// <param name="project">Only this project's clients, when set.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The clients, oldest first.</returns>
    ValueTask<IReadOnlyList<ClientRecord>> ListClientsAsync(string? project, CancellationToken cancellationToken);

    /// <summary>Revokes a client and deletes its access tokens.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>Whether the client existed and was not revoked yet.</returns>
    ValueTask<bool> RevokeClientAsync(string clientId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Stores an access token issued to a client.</summary>
    /// <param name="token">The token's record.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the token is durable.</returns>
    ValueTask StoreAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken);

    /// <summary>Finds an access token by hash.</summary>
    /// <param name="tokenHash">The hash.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<AccessTokenRecord?> FindAccessTokenAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Deletes access tokens that expired before <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many were deleted.</returns>
    ValueTask<int> DeleteExpiredAccessTokensAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
