using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Tokens.Sets;

/// <summary>
/// The claims of a Security Event Token (RFC 8417 §2.2) as SSF 1.0 §4.1 profiles them: never
/// <c>sub</c> or <c>exp</c>, the subject in <c>sub_id</c>, and one event (several only as SCIM facets
/// of one change).
/// </summary>
public sealed record SecurityEventToken
{
    /// <summary>The issuer, equal to the transmitter's metadata <c>issuer</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>The audience values; written as a string when there is one.</summary>
    public IReadOnlyList<string> Audience { get; init; } = [];

    /// <summary>When the SET was issued (not when the event happened), to the second.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The SET's unique identifier, the key for deduplication and acknowledgement.</summary>
    public required string Jti { get; init; }

    /// <summary>Links SETs that come from one underlying transaction.</summary>
    public string? Txn { get; init; }

    /// <summary>When the event happened (<c>toe</c>), if the issuer shares it.</summary>
    public DateTimeOffset? TimeOfEvent { get; init; }

    /// <summary>The primary subject (<c>sub_id</c>, RFC 9493 §4).</summary>
    public SubjectIdentifier? Subject { get; init; }

    /// <summary>The events, in the order they appear.</summary>
    public required IReadOnlyList<SecurityEvent> Events { get; init; }

    /// <summary>The first (usually the only) event.</summary>
    public SecurityEvent Event => Events[0];

    /// <summary>Checks the SSF profile rules that the claims alone decide, reporting every problem.</summary>
    /// <returns>The problems found; empty when the claims are valid.</returns>
    public IReadOnlyList<string> Validate() => SetClaimsRules.Check(this);

    /// <summary>Whether <paramref name="audience"/> is one of the audience values.</summary>
    /// <param name="audience">The audience to look for.</param>
    /// <returns><see langword="true"/> when it is present.</returns>
    public bool HasAudience(string audience) => Audience.Contains(audience, StringComparer.Ordinal);
}
