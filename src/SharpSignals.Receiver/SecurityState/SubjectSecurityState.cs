using System.Text.Json.Serialization;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>
/// What the transmitter has said about one subject, as the built-in response actions keep it. Times
/// are when the change happened (<c>event_timestamp</c>, else <c>toe</c>, else the SET's <c>iat</c>).
/// </summary>
public sealed record SubjectSecurityState
{
    /// <summary>The subject identifier as JSON (RFC 9493), the key of the state.</summary>
    [JsonPropertyName("subject")]
    public required string Subject { get; init; }

    /// <summary>When the subject's sessions were last revoked (CAEP session-revoked, RISC sessions-revoked).</summary>
    [JsonPropertyName("sessions_revoked_at")]
    public DateTimeOffset? SessionsRevokedAt { get; init; }

    /// <summary>When a credential last changed or was found compromised (CAEP credential-change, RISC credential-compromise).</summary>
    [JsonPropertyName("credential_changed_at")]
    public DateTimeOffset? CredentialChangedAt { get; init; }

    /// <summary>Whether the account is disabled (RISC account-disabled or account-purged, until account-enabled).</summary>
    [JsonPropertyName("account_disabled")]
    public bool AccountDisabled { get; init; }

    /// <summary>Why the account was disabled (<c>hijacking</c>, <c>bulk-account</c>, <c>purged</c>), when it is.</summary>
    [JsonPropertyName("account_disabled_reason")]
    public string? AccountDisabledReason { get; init; }

    /// <summary>When the account was last disabled or enabled.</summary>
    [JsonPropertyName("account_status_changed_at")]
    public DateTimeOffset? AccountStatusChangedAt { get; init; }

    /// <summary>The device's compliance, <c>compliant</c> or <c>not-compliant</c> (CAEP device-compliance-change).</summary>
    [JsonPropertyName("device_compliance")]
    public string? DeviceCompliance { get; init; }

    /// <summary>The risk level, <c>LOW</c>, <c>MEDIUM</c> or <c>HIGH</c> (CAEP risk-level-change).</summary>
    [JsonPropertyName("risk_level")]
    public string? RiskLevel { get; init; }

    /// <summary>The assurance level (CAEP assurance-level-change), in <see cref="AssuranceNamespace"/>.</summary>
    [JsonPropertyName("assurance_level")]
    public string? AssuranceLevel { get; init; }

    /// <summary>The scheme of <see cref="AssuranceLevel"/>, such as <c>NIST-AAL</c>.</summary>
    [JsonPropertyName("assurance_namespace")]
    public string? AssuranceNamespace { get; init; }

    /// <summary>The <c>jti</c> of the last SET that changed the state.</summary>
    [JsonPropertyName("last_jti")]
    public string? LastJti { get; init; }

    /// <summary>When the state last changed here.</summary>
    [JsonPropertyName("updated_at")]
    public DateTimeOffset UpdatedAt { get; init; }
}
