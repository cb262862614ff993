using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.3: a credential was created, changed, revoked or deleted.</summary>
public sealed record CredentialChange : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.CredentialChange;

    /// <summary>The kind of credential (<see cref="CaepValues.CredentialTypes"/> or a value agreed between the parties).</summary>
    [JsonPropertyName("credential_type")]
    public string? CredentialType { get; init; }

    /// <summary><c>create</c>, <c>revoke</c>, <c>update</c> or <c>delete</c>.</summary>
    [JsonPropertyName("change_type")]
    public string? ChangeType { get; init; }

    /// <summary>A name the user knows the credential by.</summary>
    [JsonPropertyName("friendly_name")]
    public string? FriendlyName { get; init; }

    /// <summary>The issuer of an X.509 credential.</summary>
    [JsonPropertyName("x509_issuer")]
    public string? X509Issuer { get; init; }

    /// <summary>The serial number of an X.509 credential.</summary>
    [JsonPropertyName("x509_serial")]
    public string? X509Serial { get; init; }

    /// <summary>The AAGUID of a FIDO2 authenticator.</summary>
    [JsonPropertyName("fido2_aaguid")]
    public string? Fido2Aaguid { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        Require(errors, "credential_type", CredentialType);
        Require(errors, "change_type", ChangeType);
        RequireOneOf(errors, "change_type", ChangeType, CaepValues.ChangeTypes);
    }
}
