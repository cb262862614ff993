using System.Text.Json;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>A valid payload for every CAEP and RISC event type, and publish bodies for the server's <c>POST /events</c>.</summary>
internal static class EventSamples
{
    public static readonly IReadOnlyDictionary<string, (Type Record, string Payload)> CaepAndRisc = new Dictionary<string, (Type, string)>
    {
        [EventTypes.Caep.SessionRevoked] = (typeof(SessionRevoked), """{"initiating_entity":"admin","reason_admin":{"en":"test"}}"""),
        [EventTypes.Caep.TokenClaimsChange] = (typeof(TokenClaimsChange), """{"claims":{"role":"ro-admin"}}"""),
        [EventTypes.Caep.CredentialChange] = (typeof(CredentialChange), """{"credential_type":"password","change_type":"update"}"""),
        [EventTypes.Caep.AssuranceLevelChange] = (typeof(AssuranceLevelChange), """{"namespace":"NIST-AAL","current_level":"nist-aal2"}"""),
        [EventTypes.Caep.DeviceComplianceChange] = (typeof(DeviceComplianceChange), """{"previous_status":"compliant","current_status":"not-compliant"}"""),
        [EventTypes.Caep.SessionEstablished] = (typeof(SessionEstablished), "{}"),
        [EventTypes.Caep.SessionPresented] = (typeof(SessionPresented), "{}"),
        [EventTypes.Caep.RiskLevelChange] = (typeof(RiskLevelChange), """{"principal":"USER","current_level":"HIGH"}"""),
        [EventTypes.Risc.AccountCredentialChangeRequired] = (typeof(AccountCredentialChangeRequired), "{}"),
        [EventTypes.Risc.AccountPurged] = (typeof(AccountPurged), "{}"),
        [EventTypes.Risc.AccountDisabled] = (typeof(AccountDisabled), """{"reason":"hijacking"}"""),
        [EventTypes.Risc.AccountEnabled] = (typeof(AccountEnabled), "{}"),
        [EventTypes.Risc.IdentifierChanged] = (typeof(IdentifierChanged), """{"new-value":"alice@example.net"}"""),
        [EventTypes.Risc.IdentifierRecycled] = (typeof(IdentifierRecycled), "{}"),
        [EventTypes.Risc.CredentialCompromise] = (typeof(CredentialCompromise), """{"credential_type":"password"}"""),
        [EventTypes.Risc.OptIn] = (typeof(OptIn), "{}"),
        [EventTypes.Risc.OptOutInitiated] = (typeof(OptOutInitiated), "{}"),
        [EventTypes.Risc.OptOutCancelled] = (typeof(OptOutCancelled), "{}"),
        [EventTypes.Risc.OptOutEffective] = (typeof(OptOutEffective), "{}"),
        [EventTypes.Risc.RecoveryActivated] = (typeof(RecoveryActivated), "{}"),
        [EventTypes.Risc.RecoveryInformationChanged] = (typeof(RecoveryInformationChanged), "{}"),
        [EventTypes.Risc.SessionsRevoked] = (typeof(SessionsRevoked), "{}"),
    };

    public static string Publish(string eventType, string payload = "{}", string email = "alice@example.com") =>
        "{\"events\":{" + JsonSerializer.Serialize(eventType) + ":" + payload + "},\"sub_id\":{\"format\":\"email\",\"email\":" + JsonSerializer.Serialize(email) + "}}";
}
