using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Tests.Support;

namespace SharpSignals.Tokens.Tests.Subjects;

public sealed class SubjectIdentifierTests
{
    public static TheoryData<string> SubjectJson() => new(Samples.Subjects().Select(s => s.ToJson()));

    [Fact]
    public void Samples_CoverEveryFormat()
    {
        var formats = Samples.Subjects().Select(s => s.Format).ToHashSet();

        Assert.Superset(typeof(SubjectFormats).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet(), formats);
    }

    [Theory]
    [MemberData(nameof(SubjectJson))]
    public void Parse_EveryFormat_RoundTripsAndMatchesItself(string json)
    {
        var subject = SubjectIdentifier.Parse(json);

        Assert.Equal(json, subject.ToJson());
        Assert.Empty(subject.Validate());
        Assert.True(subject.Matches(SubjectIdentifier.Parse(json)));
        Assert.Equal(SubjectIdentifier.Parse(json), subject);
    }

    [Fact]
    public void Parse_KnownFormats_GiveTypedRecords()
    {
        Assert.Equal(new EmailSubject("a@example.com"), SubjectIdentifier.Parse("""{"format":"email","email":"a@example.com"}"""));
        Assert.Equal(new IssSubSubject("https://i.example", "42"), SubjectIdentifier.Parse("""{"format":"iss_sub","iss":"https://i.example","sub":"42"}"""));
        var complex = Assert.IsType<ComplexSubject>(SubjectIdentifier.Parse("""{"format":"complex","user":{"format":"email","email":"a@example.com"},"tenant":{"format":"opaque","id":"t1"}}"""));
        Assert.Equal(new EmailSubject("a@example.com"), complex.User);
        Assert.Equal(new OpaqueSubject("t1"), complex.Tenant);
        var scim = Assert.IsType<ScimSubject>(SubjectIdentifier.Parse("""{"format":"scim","uri":"/Users/44f6","externalId":"jdoe","userName":"jdoe"}"""));
        Assert.Equal("jdoe", scim.ExternalId);
        Assert.Equal("\"jdoe\"", scim.Attributes["userName"].GetRawText());
    }

    [Fact]
    public void Parse_GoogleSubjectType_IsReadAsFormat()
    {
        // RISC 1.0 §4: tolerate Google's subject_type until it sends format.
        Assert.Equal(new EmailSubject("a@example.com"), SubjectIdentifier.Parse("""{"subject_type":"email","email":"a@example.com"}"""));
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { """["email"]""", "sub_id must be a JSON object" },
        { """{"email":"a@example.com"}""", "sub_id.format is required" },
        { """{"format":"email"}""", "sub_id.email is required" },
        { """{"format":"email","email":"not-an-address"}""", "sub_id.email must be an email address" },
        { """{"format":"email","email":42}""", "sub_id.email must be a string" },
        { """{"format":"email","email":"a@example.com","phone":"+1"}""", "sub_id.phone is not a member of the email format" },
        { """{"format":"account","uri":"mailto:a@example.com"}""", "must be an acct: URI" },
        { """{"format":"iss_sub","iss":"https://i.example"}""", "sub_id.sub is required" },
        { """{"format":"phone_number","phone_number":"206-555-0100"}""", "E.164" },
        { """{"format":"did","url":"https://example.com"}""", "must be a DID URL" },
        { """{"format":"uri","uri":"relative/path"}""", "must be an absolute URI" },
        { """{"format":"opaque","id":""}""", "sub_id.id is required" },
        { """{"format":"aliases","identifiers":[]}""", "at least one identifier" },
        { """{"format":"aliases","identifiers":[{"format":"aliases","identifiers":[{"format":"opaque","id":"x"}]}]}""", "aliases cannot nest" },
        { """{"format":"jwt_id","iss":"https://i.example"}""", "sub_id.jti is required" },
        { """{"format":"saml_assertion_id","assertion_id":"_1"}""", "sub_id.issuer is required" },
        { """{"format":"ip-addresses","ip-addresses":["10.0.0.300"]}""", "is not an IP address" },
        { """{"format":"ip-addresses","ip-addresses":"10.0.0.1"}""", "must be an array of strings" },
        { """{"format":"complex","user":{"format":"complex","device":{"format":"opaque","id":"d"}}}""", "sub_id.user must be a simple identifier" },
        { """{"format":"complex","user":{"format":"email","email":"bad"}}""", "sub_id.user.email must be an email address" },
        { """{"format":"complex"}""", "complex subject without members" },
        { """{"format":"scim","externalId":"x"}""", "sub_id.uri is required" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_Malformed_ReportsTheProblem(string json, string expected)
    {
        var result = SubjectIdentifier.Read(Samples.Json(json));

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    public static TheoryData<string, string, bool> MatchCases() => new()
    {
        // Simple subjects match only when identical.
        { """{"format":"email","email":"a@example.com"}""", """{"format":"email","email":"a@example.com"}""", true },
        { """{"format":"email","email":"a@example.com"}""", """{"format":"email","email":"b@example.com"}""", false },
        { """{"format":"email","email":"a@example.com"}""", """{"format":"opaque","id":"a@example.com"}""", false },
        { """{"format":"iss_sub","iss":"https://i","sub":"1"}""", """{"sub":"1","iss":"https://i","format":"iss_sub"}""", true },

        // SSF 1.0 §3.3 examples: a missing member is a wildcard.
        { C("tenant", T("X")), C("tenant", T("X"), "user", U("u")), true },
        { C("user", U("u"), "device", D("d")), C("user", U("u")), true },
        { C("user", U("u"), "group", T("g1")), C("user", U("u"), "group", T("g2")), false },
        { C("tenant", T("X")), C("user", U("u")), false },

        // A simple subject matches a complex subject holding it; aliases match through any alias.
        { U("u"), C("user", U("u"), "tenant", T("X")), true },
        { U("v"), C("user", U("u"), "tenant", T("X")), false },
        { """{"format":"aliases","identifiers":[{"format":"email","email":"u@example.com"},{"format":"phone_number","phone_number":"+12065550100"}]}""", """{"format":"phone_number","phone_number":"+12065550100"}""", true },
    };

    [Theory]
    [MemberData(nameof(MatchCases))]
    public void Matches_FollowsTheSsfRules(string a, string b, bool expected)
    {
        var left = SubjectIdentifier.Parse(a);
        var right = SubjectIdentifier.Parse(b);

        Assert.Equal(expected, left.Matches(right));
        Assert.Equal(expected, right.Matches(left));
    }

    private static string U(string id) => $$"""{"format":"email","email":"{{id}}@example.com"}""";

    private static string D(string id) => $$"""{"format":"opaque","id":"device-{{id}}"}""";

    private static string T(string id) => $$"""{"format":"opaque","id":"{{id}}"}""";

    private static string C(string m1, string v1, string? m2 = null, string? v2 = null) =>
        m2 is null ? $$"""{"format":"complex","{{m1}}":{{v1}}}""" : $$"""{"format":"complex","{{m1}}":{{v1}},"{{m2}}":{{v2}}}""";
}
