namespace SharpSignals.Tokens.Events;

/// <summary>The enumerated member values of CAEP 1.0 and RISC 1.0 events.</summary>
public static class CaepValues
{
    /// <summary><c>initiating_entity</c> values (CAEP 1.0 §2).</summary>
    public static readonly IReadOnlyList<string> InitiatingEntities = ["admin", "user", "policy", "system"];

    /// <summary>Registered <c>credential_type</c> values (CAEP 1.0 §3.3.1); others may be agreed between the parties.</summary>
    public static readonly IReadOnlyList<string> CredentialTypes =
    [
        "password", "pin", "x509", "fido2-platform", "fido2-roaming", "fido-u2f", "verifiable-credential",
        "phone-voice", "phone-sms", "app",
    ];

    /// <summary><c>change_type</c> values of credential-change (CAEP 1.0 §3.3.1).</summary>
    public static readonly IReadOnlyList<string> ChangeTypes = ["create", "revoke", "update", "delete"];

    /// <summary><c>change_direction</c> values of assurance-level-change (CAEP 1.0 §3.4.1).</summary>
    public static readonly IReadOnlyList<string> ChangeDirections = ["increase", "decrease"];

    /// <summary><c>current_status</c> and <c>previous_status</c> values of device-compliance-change (CAEP 1.0 §3.5.1).</summary>
    public static readonly IReadOnlyList<string> ComplianceStatuses = ["compliant", "not-compliant"];

    /// <summary>Risk levels of risk-level-change (CAEP 1.0 §3.8.1).</summary>
    public static readonly IReadOnlyList<string> RiskLevels = ["LOW", "MEDIUM", "HIGH"];

    /// <summary><c>reason</c> values of RISC account-disabled (RISC 1.0 §2.3).</summary>
    public static readonly IReadOnlyList<string> AccountDisabledReasons = ["hijacking", "bulk-account"];
}
