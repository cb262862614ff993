using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>
/// The keys published at a JWKS URL, cached. An unknown <c>kid</c> triggers one refetch (the issuer
/// may have rotated), at most once per <see cref="JwksResolverOptions.MinRefreshInterval"/>; concurrent
/// callers share one fetch. An unknown <c>kid</c> seen while that interval holds (or after a failed
/// refetch) is answered with <see cref="SetKeyLookup.RetryAfter"/>, not as final, so that a SET signed
/// with a key the issuer has just rotated to is taken once the keys are fetched again; one still
/// unknown after a refetch is final. The HTTP fetch itself is handed in, so the host can guard it (address
/// checks, timeouts, size limits).
/// </summary>
/// <param name="jwksUri">Where the keys are published.</param>
/// <param name="fetch">Fetches the JWKS JSON; throws on failure.</param>
/// <param name="timeProvider">The clock.</param>
/// <param name="options">Cache and refresh settings.</param>
public sealed class JwksResolver(
    Uri jwksUri,
    Func<Uri, CancellationToken, Task<string>> fetch,
    TimeProvider? timeProvider = null,
    JwksResolverOptions? options = null) : ISetKeySource, IDisposable
{
    /// <summary>The least wait an unknown kid is answered with, so that a sender does not come back at once.</summary>
    private static readonly TimeSpan MinRetryAfter = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly JwksResolverOptions _options = options ?? new JwksResolverOptions();
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private volatile Snapshot? _snapshot;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    /// <summary>The JWKS URL.</summary>
    public Uri JwksUri { get; } = jwksUri;

    /// <summary>How many times the JWKS has been fetched (successfully or not).</summary>
    public int FetchCount { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="JwksFetchException">No keys are cached and the fetch failed.</exception>
    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(string? keyId, CancellationToken cancellationToken) =>
        (await LookupAsync(keyId, cancellationToken).ConfigureAwait(false)).Keys;

    /// <inheritdoc/>
    /// <exception cref="JwksFetchException">No keys are cached and the fetch failed.</exception>
    public async ValueTask<SetKeyLookup> LookupAsync(string? keyId, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        var now = _time.GetUtcNow();
        var unknown = keyId is not null && snapshot is not null && !snapshot.Keys.HasKeyId(keyId);
        if (snapshot is null || now - snapshot.FetchedAt >= _options.CacheDuration
            || (unknown && now - _lastAttempt >= _options.MinRefreshInterval))
        {
            (snapshot, var fetched) = await RefreshAsync(snapshot, cancellationToken).ConfigureAwait(false);
            unknown = keyId is not null && !snapshot.Keys.HasKeyId(keyId) && !fetched;
        }

        if (!unknown)
        {
            return new(snapshot.Keys.Find(keyId), null);
        }

        // Not fetched since this kid was first seen: the issuer may have rotated to it a moment ago.
        var wait = _lastAttempt + _options.MinRefreshInterval - _time.GetUtcNow();
        return new([], wait > MinRetryAfter ? wait : MinRetryAfter);
    }

    /// <inheritdoc/>
    public void Dispose() => _fetchLock.Dispose();

    /// <summary>The keys as fetched now, or by another caller since <paramref name="seen"/> was read (Fetched true), or <paramref name="seen"/> when no fetch could be made.</summary>
    private async Task<(Snapshot Keys, bool Fetched)> RefreshAsync(Snapshot? seen, CancellationToken cancellationToken)
    {
        await _fetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited: use its result.
            if (_snapshot is { } current && !ReferenceEquals(current, seen))
            {
                return (current, true);
            }

            var now = _time.GetUtcNow();
            if (seen is not null && now - _lastAttempt < _options.MinRefreshInterval)
            {
                return (seen, false);
            }

            _lastAttempt = now;
            FetchCount++;
            try
            {
                var json = await fetch(JwksUri, cancellationToken).ConfigureAwait(false);
                var fresh = new Snapshot(StaticKeySource.FromJwks(json), now);
                _snapshot = fresh;
                return (fresh, true);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep serving the keys already known; fail only when there are none.
                return (seen ?? throw new JwksFetchException($"The keys at {JwksUri} could not be fetched.", ex), false);
            }
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    private sealed record Snapshot(StaticKeySource Keys, DateTimeOffset FetchedAt);
}
