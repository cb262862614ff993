namespace SharpSignals.Tokens.Keys;

/// <summary>How a <see cref="JwksResolver"/> caches and refreshes keys.</summary>
public sealed record JwksResolverOptions
{
    /// <summary>How long fetched keys are used before they are fetched again. Default one hour.</summary>
    public TimeSpan CacheDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time between two fetches, however many unknown <c>kid</c> values arrive; it keeps a
    /// stream of forged key IDs from turning the resolver against the issuer. Default 30 seconds.
    /// </summary>
    public TimeSpan MinRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);
}
