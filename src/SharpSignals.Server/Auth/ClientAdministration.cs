using SharpSignals.Storage.Clients;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Creating initial access tokens and revoking clients: what <c>POST /iat</c> and
/// <c>DELETE /admin/clients/{id}</c> do, shared with the operator console so both act alike.
/// </summary>
internal static class ClientAdministration
{
    /// <summary>How long an initial access token lasts unless asked otherwise.</summary>
    public static readonly TimeSpan DefaultIatLifetime = TimeSpan.FromDays(1);

    /// <summary>The longest an initial access token may last: past this its expiry would not fit a DateTimeOffset (and no real use needs it).</summary>
    public static readonly TimeSpan MaxIatLifetime = TimeSpan.FromDays(3650);

    /// <summary>Whether an initial access token for <paramref name="project"/> lasting <paramref name="expiresInSeconds"/> may be created.</summary>
    public static bool IsValidIat(string project, long expiresInSeconds) =>
        expiresInSeconds > 0 && expiresInSeconds <= (long)MaxIatLifetime.TotalSeconds && ProjectNames.IsValid(project);

    /// <summary>Creates and stores an initial access token (only its hash is kept); call <see cref="IsValidIat"/> first.</summary>
    /// <returns>The token, to be shown once, and its record.</returns>
    public static async Task<(string Token, InitialAccessTokenRecord Record)> CreateIatAsync(
        IClientStore clients, TimeProvider time, string project, long expiresInSeconds, bool singleUse, CancellationToken cancellationToken)
    {
        var token = TokenHashing.NewToken();
        var now = time.GetUtcNow();
        var record = new InitialAccessTokenRecord(TokenHashing.Hash(token), project, now, now.AddSeconds(expiresInSeconds)) { SingleUse = singleUse };
        await clients.CreateInitialAccessTokenAsync(record, cancellationToken);
        return (token, record);
    }

    /// <summary>Revokes a client and deletes its access tokens, then drops every cached token so none of them is accepted again.</summary>
    /// <returns>False when there is no such client or it was revoked already.</returns>
    public static async Task<bool> RevokeClientAsync(
        IClientStore clients, AccessTokenCache accessTokens, TimeProvider time, string clientId, CancellationToken cancellationToken)
    {
        if (!await clients.RevokeClientAsync(clientId, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        // The tokens are gone from the store; none may be served from the cache either.
        accessTokens.Invalidate();
        return true;
    }
}
