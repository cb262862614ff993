using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Validation;

/// <summary>What a receiver accepts: whose SETs, signed how, for whom.</summary>
public sealed record SetValidationOptions
{
    /// <summary>Where the issuer's public keys come from (a JWKS resolver or fixed keys).</summary>
    public required ISetKeySource Keys { get; init; }

    /// <summary>The accepted <c>iss</c> values, compared exactly (SSF 1.0 §4.1.1). At least one.</summary>
    public required IReadOnlyCollection<string> ValidIssuers { get; init; }

    /// <summary>
    /// The receiver's audience values; a SET must name at least one of them in <c>aud</c>. Empty turns
    /// the audience check off, which SSF receivers should not do.
    /// </summary>
    public IReadOnlyCollection<string> ValidAudiences { get; init; } = [];

    /// <summary>The accepted JWS algorithms. Only asymmetric algorithms can be listed; <c>none</c> and HMAC never pass.</summary>
    public IReadOnlyCollection<string> Algorithms { get; init; } = SigningAlgorithms.Verifying;

    /// <summary>How far in the future <c>iat</c> may lie, for clock differences. Default five minutes.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How old a SET may be, by its <c>iat</c>; older ones are refused with <c>invalid_request</c>. Set it
    /// to no more than how long handled <c>jti</c> values are remembered, so that a captured SET cannot be
    /// replayed once its <c>jti</c> is forgotten. Null (the default) sets no limit.
    /// </summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>The largest token accepted, in characters. Default 64 KiB.</summary>
    public int MaxTokenLength { get; init; } = 64 * 1024;

    /// <summary>The receiver's private keys for encrypted SETs; empty refuses encrypted SETs.</summary>
    public IReadOnlyList<SecurityKey> DecryptionKeys { get; init; } = [];

    /// <summary>Whether SETs must arrive encrypted.</summary>
    public bool RequireEncryption { get; init; }

    /// <summary>
    /// The event types this receiver takes from this transmitter (usually a stream's
    /// <c>events_delivered</c>); others are refused with <c>access_denied</c>. Null accepts every type.
    /// SSF stream events (verification, stream-updated) are always accepted (SSF 1.0 §8.1.4).
    /// </summary>
    public IReadOnlyCollection<string>? AcceptedEventTypes { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
