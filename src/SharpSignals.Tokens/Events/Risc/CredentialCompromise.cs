using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.7: a credential of the subject was compromised.</summary>
public sealed record CredentialCompromise : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.CredentialCompromise;

    /// <summary>The kind of credential (the CAEP credential-change values).</summary>
    [JsonPropertyName("credential_type")]
    public string? CredentialType { get; init; }

    /// <summary>When the transmitter discovered the compromise, in seconds since the epoch.</summary>
    [JsonPropertyName("event_timestamp")]
    public long? EventTimestamp { get; init; }

    /// <summary>Text for administrators, by BCP 47 language tag.</summary>
    [JsonPropertyName("reason_admin")]
    public IReadOnlyDictionary<string, string>? ReasonAdmin { get; init; }

    /// <summary>Text for the end user, by BCP 47 language tag.</summary>
    [JsonPropertyName("reason_user")]
    public IReadOnlyDictionary<string, string>? ReasonUser { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        Require(errors, "credential_type", CredentialType);
        RequireLanguageMap(errors, "reason_admin", ReasonAdmin);
        RequireLanguageMap(errors, "reason_user", ReasonUser);
    }
}
