using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Events;

public sealed class EventRoundTripTests
{
    private static readonly SetSigningKey Key = SetSigningKey.Generate();

    public static TheoryData<string> EventTypeUris() => new(Samples.Events().Select(s => s.Event.EventType));

    [Fact]
    public void Samples_CoverEveryCatalogEntry()
    {
        var sampled = Samples.Events().Select(s => s.Event.EventType).ToHashSet();

        Assert.Equal(36, EventCatalog.All.Count);
        Assert.All(EventCatalog.All, d => Assert.Contains(d.Uri, sampled));
    }

    [Theory]
    [MemberData(nameof(EventTypeUris))]
    public async Task SignAndValidate_EveryEventType_ReturnsTheSameClaims(string eventType)
    {
        var (securityEvent, subject) = Samples.Events().Single(s => s.Event.EventType == eventType);
        var set = Samples.Set(securityEvent, subject);

        var token = new SetSigner(Key).Sign(set);
        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(SetPayload.ToJson(set), SetPayload.ToJson(result.Set!));
        Assert.Equal(securityEvent.GetType(), result.Set!.Event.GetType());
        Assert.Equal(securityEvent.EventType, result.Set.Event.EventType);
        Assert.Equal(subject.CanonicalKey, result.Set.Subject!.CanonicalKey);
        Assert.Equal(token, result.SignedToken);
    }

    [Theory]
    [MemberData(nameof(EventTypeUris))]
    public void Read_EveryEventType_WritesBackTheSamePayload(string eventType)
    {
        var (securityEvent, _) = Samples.Events().Single(s => s.Event.EventType == eventType);
        var json = PayloadJson(securityEvent);

        var read = EventCatalog.Read(eventType, Samples.Json(json));

        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.Equal(json, PayloadJson(read.Event!));
    }

    [Theory]
    [MemberData(nameof(EventTypeUris))]
    public void WritePayload_EveryEventType_WritesOnlySpecMembers(string eventType)
    {
        var (securityEvent, _) = Samples.Events().Single(s => s.Event.EventType == eventType);

        var members = JsonNode.Parse(PayloadJson(securityEvent))!.AsObject().Select(m => m.Key).ToList();

        // Member names are the specifications' snake_case or SCIM camelCase names, never C# property names.
        Assert.All(members, m => Assert.Matches("^[a-z][a-z0-9_-]*([A-Z][a-z]+)*$", m));
        Assert.DoesNotContain("EventType", members);
        Assert.DoesNotContain("IsFull", members);
    }

    [Fact]
    public void WritePayload_CredentialChange_IsExactlyTheSpecShape()
    {
        var payload = PayloadJson(new CredentialChange { CredentialType = "fido2-roaming", ChangeType = "create", InitiatingEntity = "user", EventTimestamp = 1_615_304_991 });

        Assert.Equal("""{"credential_type":"fido2-roaming","change_type":"create","event_timestamp":1615304991,"initiating_entity":"user"}""", payload);
    }

    [Fact]
    public void Read_UnknownMembers_AreKeptAndWrittenBack()
    {
        var read = EventCatalog.Read(EventTypes.Caep.SessionRevoked, Samples.Json("""{"initiating_entity":"user","x-vendor":{"score":7}}"""));

        Assert.True(read.IsValid);
        Assert.Equal("""{"score":7}""", read.Event!.AdditionalMembers!["x-vendor"].GetRawText());
        Assert.Contains("\"x-vendor\":{\"score\":7}", PayloadJson(read.Event), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownEventType_IsCarriedAsRawJson()
    {
        const string uri = "https://vendor.example.com/event-type/badge-lost";

        var read = EventCatalog.Read(uri, Samples.Json("""{"badge":"B-7","floor":3}"""));

        var unknown = Assert.IsType<UnknownEvent>(read.Event);
        Assert.Equal(uri, unknown.EventType);
        Assert.Equal("""{"badge":"B-7","floor":3}""", PayloadJson(unknown));
    }

    [Theory]
    [InlineData("urn:ietf:params:SCIM:event:prov:create:notice", EventTypes.Scim.CreateNotice)]
    [InlineData("urn:ietf:params:scim:event:misc:asyncResp", EventTypes.Scim.AsyncResponse)]
    [InlineData("URN:IETF:PARAMS:SCIM:EVENT:PROV:DELETE", EventTypes.Scim.Delete)]
    public void Read_OlderScimSpelling_IsAcceptedAsTheRegisteredUri(string received, string registered)
    {
        var payload = registered == EventTypes.Scim.CreateNotice ? """{"attributes":["userName"]}"""
            : registered == EventTypes.Scim.AsyncResponse ? """{"status":"201"}""" : "{}";

        var read = EventCatalog.Read(received, Samples.Json(payload));

        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.Equal(registered, read.Event!.EventType);
    }

    [Fact]
    public async Task Validate_ScimFacetsInOneSet_AreAccepted()
    {
        var set = Samples.Set(new ScimCreateNotice { Attributes = ["userName"] }, Samples.ScimUser) with
        {
            Events = [new ScimCreateNotice { Attributes = ["userName"] }, new ScimFeedAdd()],
        };

        var result = await Validator().ValidateAsync(new SetSigner(Key).Sign(set), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(2, result.Set!.Events.Count);
    }

    public static TheoryData<string, string, string> InvalidPayloads() => new()
    {
        { EventTypes.Caep.CredentialChange, """{"change_type":"create"}""", "credential_type is required" },
        { EventTypes.Caep.CredentialChange, """{"credential_type":"pin"}""", "change_type is required" },
        { EventTypes.Caep.CredentialChange, """{"credential_type":7,"change_type":"create"}""", "credential_type has the wrong JSON type" },
        { EventTypes.Caep.SessionRevoked, """{"initiating_entity":"robot"}""", "initiating_entity must be one of" },
        { EventTypes.Caep.SessionRevoked, """{"reason_admin":{}}""", "reason_admin must map language tags" },
        { EventTypes.Caep.TokenClaimsChange, "{}", "claims is required" },
        { EventTypes.Caep.TokenClaimsChange, """{"claims":{}}""", "claims must hold at least one claim" },
        { EventTypes.Caep.AssuranceLevelChange, """{"current_level":"nist-aal2"}""", "namespace is required" },
        { EventTypes.Caep.AssuranceLevelChange, """{"namespace":"NIST-AAL","current_level":"nist-aal2","change_direction":"up"}""", "change_direction must be one of" },
        { EventTypes.Caep.DeviceComplianceChange, """{"previous_status":"compliant","current_status":"unknown"}""", "current_status must be one of" },
        { EventTypes.Caep.DeviceComplianceChange, """{"current_status":"compliant"}""", "previous_status is required" },
        { EventTypes.Caep.RiskLevelChange, """{"principal":"USER","current_level":"SEVERE"}""", "current_level must be one of" },
        { EventTypes.Caep.RiskLevelChange, """{"current_level":"LOW"}""", "principal is required" },
        { EventTypes.Caep.SessionEstablished, """{"amr":"pwd"}""", "amr has the wrong JSON type" },
        { EventTypes.Risc.AccountDisabled, """{"reason":"bored"}""", "reason must be one of" },
        { EventTypes.Risc.CredentialCompromise, "{}", "credential_type is required" },
        { EventTypes.Ssf.StreamUpdated, "{}", "status is required" },
        { EventTypes.Ssf.StreamUpdated, """{"status":"stopped"}""", "status must be one of" },
        { EventTypes.Scim.CreateFull, """{"attributes":["userName"]}""", "data is required" },
        { EventTypes.Scim.CreateNotice, """{"attributes":["userName"],"data":{"userName":"a"}}""", "data must not appear beside attributes" },
        { EventTypes.Scim.PatchNotice, """{"attributes":[]}""", "attributes is required" },
        { EventTypes.Scim.AsyncResponse, """{"method":"POST"}""", "status is required" },
        { "https://vendor.example.com/event", "[1,2]", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(InvalidPayloads))]
    public void Read_InvalidPayload_NamesTheMember(string eventType, string payload, string expected)
    {
        var read = EventCatalog.Read(eventType, Samples.Json(payload));

        Assert.False(read.IsValid);
        Assert.Contains(read.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SeveralProblems_AreAllReported()
    {
        var read = EventCatalog.Read(EventTypes.Caep.CredentialChange, Samples.Json("""{"change_type":"rotate","initiating_entity":"robot"}"""));

        Assert.Equal(3, read.Errors.Count);
    }

    public static TheoryData<string, string, string> WrongSubjects() => new()
    {
        { EventTypes.Ssf.Verification, """{"format":"email","email":"a@example.com"}""", "opaque sub_id" },
        { EventTypes.Scim.Delete, """{"format":"email","email":"a@example.com"}""", "format scim" },
        { EventTypes.Risc.IdentifierChanged, """{"format":"opaque","id":"u1"}""", "email or phone_number" },
    };

    [Theory]
    [MemberData(nameof(WrongSubjects))]
    public void Validate_SubjectOfTheWrongFormatForTheEvent_IsRefused(string eventType, string subjectJson, string expected)
    {
        var read = EventCatalog.Read(eventType, Samples.Json("{}"));
        var set = Samples.Set(read.Event!, SubjectIdentifier.Parse(subjectJson));

        var errors = set.Validate();

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new SetSigner(Key).Sign(set));
    }

    [Fact]
    public void TryFind_ShortNames_FindTheCatalogEntries()
    {
        Assert.True(EventCatalog.TryFind("session-revoked", out var caep));
        Assert.Equal(EventTypes.Caep.SessionRevoked, caep.Uri);
        Assert.True(EventCatalog.TryFind("prov:create:full", out var scim));
        Assert.Equal(EventTypes.Scim.CreateFull, scim.Uri);
        Assert.True(EventCatalog.TryFind("account-disabled", out var risc));
        Assert.Equal(EventFamily.Risc, risc.Family);
        Assert.False(EventCatalog.TryFind("no-such-event", out _));
    }

    private static SetValidator Validator() => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([Key.SecurityKey]),
        ValidIssuers = [Samples.Issuer],
        ValidAudiences = [Samples.Audience],
        TimeProvider = new FakeTimeProvider(Samples.Now),
    });

    private static string PayloadJson(SecurityEvent securityEvent)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            EventCatalog.WritePayload(writer, securityEvent);
        }

        return JsonNode.Parse(stream.ToArray())!.ToJsonString();
    }
}
