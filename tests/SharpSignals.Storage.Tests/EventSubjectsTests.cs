using SharpSignals.Storage.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Storage.Tests;

/// <summary>What a subject search finds an event by (docs/API.md, "Administration").</summary>
public sealed class EventSubjectsTests
{
    [Fact]
    public void KeysOf_ASimpleIdentifier_IsEachValueAloneAndAfterItsFormat()
    {
        Assert.Equal(["alice@example.com", "email:alice@example.com"], EventSubjects.KeysOf(new EmailSubject("alice@example.com")));
        Assert.Equal(
            ["https://idp.example", "iss_sub:https://idp.example", "u-1", "iss_sub:u-1"],
            EventSubjects.KeysOf(new IssSubSubject("https://idp.example", "u-1")));
    }

    [Fact]
    public void KeysOf_NestedIdentifiers_TakeTheFormatOfTheIdentifierHoldingTheValue()
    {
        var complex = new ComplexSubject(new Dictionary<string, SubjectIdentifier>
        {
            ["user"] = new EmailSubject("alice@example.com"),
            ["session"] = new OpaqueSubject("s-9"),
        });
        var aliases = new AliasesSubject([new EmailSubject("alice@example.com"), new IpAddressesSubject(["192.0.2.1", "2001:db8::1"])]);

        Assert.Equal(["s-9", "opaque:s-9", "alice@example.com", "email:alice@example.com"], EventSubjects.KeysOf(complex));
        Assert.Equal(
            ["alice@example.com", "email:alice@example.com", "192.0.2.1", "ip-addresses:192.0.2.1", "2001:db8::1", "ip-addresses:2001:db8::1"],
            EventSubjects.KeysOf(aliases));
    }

    [Fact]
    public void KeysOf_NoSubject_RepeatedOrOverlongValues_AddNothing()
    {
        var repeated = new AliasesSubject([new EmailSubject("a@example.com"), new EmailSubject("a@example.com")]);
        var manyAddresses = new IpAddressesSubject([.. Enumerable.Range(0, 20).Select(i => $"192.0.2.{i}")]);

        Assert.Empty(EventSubjects.KeysOf(null));
        Assert.Equal(["a@example.com", "email:a@example.com"], EventSubjects.KeysOf(repeated));
        Assert.Empty(EventSubjects.KeysOf(new OpaqueSubject(new string('x', EventSubjects.MaxValueLength + 1))));
        Assert.Equal(EventSubjects.MaxKeys, EventSubjects.KeysOf(manyAddresses).Count);
    }
}
