using System.Text.Json;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Support;

/// <summary>One valid example of every event type and subject format, with a subject that suits it.</summary>
internal static class Samples
{
    public const string Issuer = "https://tx.example.com";
    public const string Audience = "https://rx.example.net";

    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    /// <summary>A validator that takes the samples' SETs signed with <paramref name="issuerKey"/>: their issuer and audience, at <see cref="Now"/>.</summary>
    public static SetValidator Validator(SetSigningKey issuerKey) => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([issuerKey.SecurityKey]),
        ValidIssuers = [Issuer],
        ValidAudiences = [Audience],
        TimeProvider = new FakeTimeProvider(Now),
    });

    private static readonly Dictionary<string, string> Reason = new() { ["en"] = "Policy violation", ["de"] = "Richtlinienverstoss" };

    public static readonly SubjectIdentifier User = new EmailSubject("alice@example.com");

    public static readonly SubjectIdentifier StreamSubject = new OpaqueSubject("stream-1");

    public static readonly ScimSubject ScimUser = new("/Users/2819c223") { ExternalId = "alice", Id = "2819c223" };

    public static IEnumerable<(SecurityEvent Event, SubjectIdentifier Subject)> Events()
    {
        yield return (new Verification { State = "VGhpcyBpcyBhbiBleGFtcGxl" }, StreamSubject);
        yield return (new StreamUpdated { Status = StreamStatuses.Paused, Reason = "maintenance" }, StreamSubject);
        yield return (new SessionRevoked { EventTimestamp = 1_767_225_000, InitiatingEntity = "policy", ReasonAdmin = Reason, ReasonUser = Reason }, User);
        yield return (new TokenClaimsChange { Claims = new Dictionary<string, JsonElement> { ["role"] = Json("\"ro-admin\"") } }, new JwtIdSubject(Issuer, "24c63fb56e5a2d77a6b512616ca9fa24"));
        yield return (new CredentialChange { CredentialType = "fido2-roaming", ChangeType = "create", FriendlyName = "Jane's USB key", Fido2Aaguid = "accced6a-63f5-490a-9eea-e59bc1896cfc", InitiatingEntity = "user" }, User);
        yield return (new AssuranceLevelChange { Namespace = "NIST-AAL", CurrentLevel = "nist-aal2", PreviousLevel = "nist-aal1", ChangeDirection = "increase" }, User);
        yield return (new DeviceComplianceChange { PreviousStatus = "compliant", CurrentStatus = "not-compliant" }, Complex());
        yield return (new SessionEstablished { UserAgentFingerprint = "abb0b6e7da81a42233f8f2b1a8ddb1b9a4c81611", Acr = "AAL2", Amr = ["otp"], ExternalSessionId = "12345" }, User);
        yield return (new SessionPresented { UserAgentFingerprint = "abb0b6e7da81a42233f8f2b1a8ddb1b9a4c81611", ExternalSessionId = "12345" }, User);
        yield return (new RiskLevelChange { Principal = "USER", CurrentLevel = "HIGH", PreviousLevel = "LOW", RiskReason = "PASSWORD_FOUND_IN_DATA_BREACH" }, User);
        yield return (new AccountCredentialChangeRequired(), User);
        yield return (new AccountPurged(), User);
        yield return (new AccountDisabled { Reason = "hijacking" }, User);
        yield return (new AccountEnabled(), User);
        yield return (new IdentifierChanged { NewValue = "alice@example.org" }, User);
        yield return (new IdentifierRecycled(), new PhoneNumberSubject("+12065550100"));
        yield return (new CredentialCompromise { CredentialType = "password", EventTimestamp = 1_767_225_000, ReasonAdmin = Reason }, User);
        yield return (new OptIn(), User);
        yield return (new OptOutInitiated(), User);
        yield return (new OptOutCancelled(), User);
        yield return (new OptOutEffective(), User);
        yield return (new RecoveryActivated(), User);
        yield return (new RecoveryInformationChanged(), User);
        yield return (new SessionsRevoked(), User);
        yield return (new ScimFeedAdd(), ScimUser);
        yield return (new ScimFeedRemove(), ScimUser);
        yield return (new ScimCreateNotice { Attributes = ["userName", "emails", "name.familyName"], Version = "W/\"a330bc54f0671c9\"" }, ScimUser);
        yield return (new ScimCreateFull { Data = Json("""{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice"}"""), Version = "W/\"a330bc54f0671c9\"" }, ScimUser);
        yield return (new ScimPatchNotice { Attributes = ["emails"] }, ScimUser);
        yield return (new ScimPatchFull { Data = Json("""{"userName":"alice","active":true}""") }, ScimUser);
        yield return (new ScimPutNotice { Attributes = ["name.givenName"] }, ScimUser);
        yield return (new ScimPutFull { Data = Json("""{"userName":"alice"}""") }, ScimUser);
        yield return (new ScimDelete(), ScimUser);
        yield return (new ScimActivate(), ScimUser);
        yield return (new ScimDeactivate(), ScimUser);
        yield return (new ScimAsyncResponse { Method = "POST", BulkId = "qwerty", Version = "W/\"oY4m4wn58tkVjJxK\"", Status = Json("\"201\"") }, ScimUser);
    }

    public static IEnumerable<SubjectIdentifier> Subjects()
    {
        yield return new AccountSubject("acct:alice@example.com");
        yield return new EmailSubject("alice@example.com");
        yield return new IssSubSubject("https://issuer.example.com/", "145234573");
        yield return new OpaqueSubject("11112222333344445555");
        yield return new PhoneNumberSubject("+12065550100");
        yield return new DidSubject("did:example:123456/did/url/path?versionId=1");
        yield return new UriSubject("https://user.example.com/");
        yield return new AliasesSubject([new EmailSubject("alice@example.com"), new PhoneNumberSubject("+12065550100")]);
        yield return new JwtIdSubject("https://idp.example.com/123456789/", "B70BA622-9515-4353-A866-823539EECBC8");
        yield return new SamlAssertionIdSubject("https://idp.example.com/123456789/", "_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6");
        yield return new IpAddressesSubject(["10.29.37.75", "2001:db8::1"]);
        yield return Complex();
        yield return ScimUser;
        yield return new UnknownSubject("catalog_item", new Dictionary<string, JsonElement> { ["catalog_id"] = Json("\"c0384\""), ["item_id"] = Json("\"ff27\"") });
    }

    public static ComplexSubject Complex() => new(new Dictionary<string, SubjectIdentifier>
    {
        ["user"] = new IssSubSubject("https://idp.example.com/3456789/", "jane.smith@example.com"),
        ["device"] = new IssSubSubject("https://idp.example.com/3456789/", "e9297990-14d2-42ec-a4a9-4036db86509a"),
        ["tenant"] = new OpaqueSubject("123456789"),
    });

    public static SecurityEventToken Set(SecurityEvent securityEvent, SubjectIdentifier? subject = null) => new()
    {
        Issuer = Issuer,
        Audience = [Audience],
        IssuedAt = Now,
        Jti = SetIds.NewJti(),
        Txn = "8675309",
        Subject = subject ?? User,
        Events = [securityEvent],
    };

    public static SecurityEventToken SessionRevokedSet() => Set(new SessionRevoked { InitiatingEntity = "admin", ReasonAdmin = new Dictionary<string, string> { ["en"] = "Landspeed policy violation" } });

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
