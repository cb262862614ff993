namespace SharpSignals.Tokens.Events;

/// <summary>Event type URIs, the member names of a SET's <c>events</c> claim.</summary>
public static class EventTypes
{
    /// <summary>SSF 1.0 stream-management events.</summary>
    public static class Ssf
    {
        /// <summary>The URI prefix of SSF events.</summary>
        public const string Prefix = "https://schemas.openid.net/secevent/ssf/event-type/";

        /// <summary>SSF 1.0 §8.1.4.1.</summary>
        public const string Verification = Prefix + "verification";

        /// <summary>SSF 1.0 §8.1.5.</summary>
        public const string StreamUpdated = Prefix + "stream-updated";
    }

    /// <summary>CAEP 1.0 events.</summary>
    public static class Caep
    {
        /// <summary>The URI prefix of CAEP events.</summary>
        public const string Prefix = "https://schemas.openid.net/secevent/caep/event-type/";

        /// <summary>CAEP 1.0 §3.1.</summary>
        public const string SessionRevoked = Prefix + "session-revoked";

        /// <summary>CAEP 1.0 §3.2.</summary>
        public const string TokenClaimsChange = Prefix + "token-claims-change";

        /// <summary>CAEP 1.0 §3.3.</summary>
        public const string CredentialChange = Prefix + "credential-change";

        /// <summary>CAEP 1.0 §3.4.</summary>
        public const string AssuranceLevelChange = Prefix + "assurance-level-change";

        /// <summary>CAEP 1.0 §3.5.</summary>
        public const string DeviceComplianceChange = Prefix + "device-compliance-change";

        /// <summary>CAEP 1.0 §3.6.</summary>
        public const string SessionEstablished = Prefix + "session-established";

        /// <summary>CAEP 1.0 §3.7.</summary>
        public const string SessionPresented = Prefix + "session-presented";

        /// <summary>CAEP 1.0 §3.8.</summary>
        public const string RiskLevelChange = Prefix + "risk-level-change";
    }

    /// <summary>RISC 1.0 events.</summary>
    public static class Risc
    {
        /// <summary>The URI prefix of RISC events.</summary>
        public const string Prefix = "https://schemas.openid.net/secevent/risc/event-type/";

        /// <summary>RISC 1.0 §2.1.</summary>
        public const string AccountCredentialChangeRequired = Prefix + "account-credential-change-required";

        /// <summary>RISC 1.0 §2.2.</summary>
        public const string AccountPurged = Prefix + "account-purged";

        /// <summary>RISC 1.0 §2.3.</summary>
        public const string AccountDisabled = Prefix + "account-disabled";

        /// <summary>RISC 1.0 §2.4.</summary>
        public const string AccountEnabled = Prefix + "account-enabled";

        /// <summary>RISC 1.0 §2.5.</summary>
        public const string IdentifierChanged = Prefix + "identifier-changed";

        /// <summary>RISC 1.0 §2.6.</summary>
        public const string IdentifierRecycled = Prefix + "identifier-recycled";

        /// <summary>RISC 1.0 §2.7.</summary>
        public const string CredentialCompromise = Prefix + "credential-compromise";

        /// <summary>RISC 1.0 §2.8.1.</summary>
        public const string OptIn = Prefix + "opt-in";

        /// <summary>RISC 1.0 §2.8.2.</summary>
        public const string OptOutInitiated = Prefix + "opt-out-initiated";

        /// <summary>RISC 1.0 §2.8.3.</summary>
        public const string OptOutCancelled = Prefix + "opt-out-cancelled";

        /// <summary>RISC 1.0 §2.8.4.</summary>
        public const string OptOutEffective = Prefix + "opt-out-effective";

        /// <summary>RISC 1.0 §2.9.</summary>
        public const string RecoveryActivated = Prefix + "recovery-activated";

        /// <summary>RISC 1.0 §2.10.</summary>
        public const string RecoveryInformationChanged = Prefix + "recovery-information-changed";

        /// <summary>RISC 1.0 §2.11, deprecated in favour of CAEP session-revoked.</summary>
        public const string SessionsRevoked = Prefix + "sessions-revoked";
    }

    /// <summary>SCIM events (RFC 9967). URIs are lowercase; older mixed-case spellings are accepted on input.</summary>
    public static class Scim
    {
        /// <summary>The URI prefix of SCIM events.</summary>
        public const string Prefix = "urn:ietf:params:scim:event:";

        /// <summary>The resource joined the feed.</summary>
        public const string FeedAdd = Prefix + "feed:add";

        /// <summary>The resource left the feed.</summary>
        public const string FeedRemove = Prefix + "feed:remove";

        /// <summary>A resource was created; the event names the changed attributes.</summary>
        public const string CreateNotice = Prefix + "prov:create:notice";

        /// <summary>A resource was created; the event carries the resource.</summary>
        public const string CreateFull = Prefix + "prov:create:full";

        /// <summary>A resource was patched; the event names the changed attributes.</summary>
        public const string PatchNotice = Prefix + "prov:patch:notice";

        /// <summary>A resource was patched; the event carries the resource.</summary>
        public const string PatchFull = Prefix + "prov:patch:full";

        /// <summary>A resource was replaced; the event names the changed attributes.</summary>
        public const string PutNotice = Prefix + "prov:put:notice";

        /// <summary>A resource was replaced; the event carries the resource.</summary>
        public const string PutFull = Prefix + "prov:put:full";

        /// <summary>A resource was deleted (and left the feed).</summary>
        public const string Delete = Prefix + "prov:delete";

        /// <summary>A resource was activated.</summary>
        public const string Activate = Prefix + "prov:activate";

        /// <summary>A resource was deactivated.</summary>
        public const string Deactivate = Prefix + "prov:deactivate";

        /// <summary>An asynchronous SCIM request completed.</summary>
        public const string AsyncResponse = Prefix + "misc:asyncresp";
    }
}
