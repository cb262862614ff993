using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace SharpSignals.Client;

/// <summary>
/// Access tokens by token endpoint, client and secret, each kept until shortly before it expires.
/// One instance may serve many clients (and many transmitters), as <c>AddSharedSignalsClient</c> does.
/// </summary>
public sealed class AccessTokenCache
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    // RFC 6749 §5.1: expires_in is only RECOMMENDED; without it, ask again soon rather than never.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.Ordinal);

    /// <summary>A current token for the client, requested when none is cached, it is near expiry, or <paramref name="renew"/> is set.</summary>
    internal async ValueTask<string> GetAsync(string endpoint, string clientId, string secret, bool renew, TimeProvider time, Func<CancellationToken, Task<AccessToken>> request, CancellationToken cancellationToken)
    {
        // A hash of the secret in the key: a client configured with another secret never gets this one's token.
        var key = $"{endpoint} {clientId} {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))}";
        var now = time.GetUtcNow();
        if (!renew && _tokens.TryGetValue(key, out var cached) && now < cached.RenewAt)
        {
            return cached.Token;
        }

        var token = await request(cancellationToken).ConfigureAwait(false);
        var lifetime = token.ExpiresIn is { } expiresIn ? (expiresIn < LongestLifetime ? expiresIn : LongestLifetime) : DefaultLifetime;
        _tokens[key] = (token.Value, now + (lifetime > 2 * RefreshMargin ? lifetime - RefreshMargin : lifetime / 2));
        return token.Value;
    }
}
