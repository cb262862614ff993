using SharpSignals.Server.Routing;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Tests.Routing;

/// <summary>
/// Issue 23: the routing catalog indexes a stream's subjects instead of scanning them per event. The
/// index must give the answers of the scan it replaced (SSF 1.0 §8.1.3: the latest change to a subject
/// that matches by the §3.3 rules decides), over a table of subject changes and events that mixes
/// simple, complex and <c>aliases</c> subjects, and take one change without rebuilding the rest.
/// </summary>
public sealed class SubjectIndexTests
{
    private static readonly SubjectIdentifier Alice = new EmailSubject("alice@example.com");
    private static readonly SubjectIdentifier Bob = new EmailSubject("bob@example.com");
    private static readonly SubjectIdentifier AliceAtIdp = new IssSubSubject("https://idp.example", "alice");
    private static readonly SubjectIdentifier Phone = new PhoneNumberSubject("+12065550100");
    private static readonly SubjectIdentifier Tenant1 = new OpaqueSubject("t1");
    private static readonly SubjectIdentifier Tenant2 = new OpaqueSubject("t2");
    private static readonly SubjectIdentifier Device = new OpaqueSubject("d-7");
    private static readonly SubjectIdentifier Addresses = new IpAddressesSubject(["192.0.2.1", "2001:db8::1"]);

    /// <summary>Every kind of subject the §3.3 rules treat differently, as stored subjects and as events.</summary>
    private static readonly SubjectIdentifier[] Pool =
    [
        Alice, Bob, AliceAtIdp, Phone, Tenant1, Tenant2, Device, Addresses,
        Complex(("tenant", Tenant1)),
        Complex(("tenant", Tenant2)),
        Complex(("user", Alice), ("tenant", Tenant1)),
        Complex(("user", Bob), ("tenant", Tenant1)),
        Complex(("user", Bob), ("tenant", Tenant2)),
        Complex(("user", Alice), ("device", Device)),
        Complex(("user", AliceAtIdp), ("tenant", Tenant2)),
        Complex(("device", Device)),
        new AliasesSubject([Alice, AliceAtIdp]),
        new AliasesSubject([Bob, Phone]),
        new AliasesSubject([Tenant1]),
        Complex(("user", new AliasesSubject([Alice, Phone])), ("tenant", Tenant1)),
    ];

    [Fact]
    public void Decide_GivesTheAnswersOfTheScan_OverEveryOrderOfChanges()
    {
        var random = new Random(23);
        for (var round = 0; round < 400; round++)
        {
            var changes = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => (Subject: Pool[random.Next(Pool.Length)], Included: random.Next(2) == 0))
                .ToList();
            var stored = AsStored(changes);
            var scope = SubjectScope.From(stored);

            foreach (var eventSubject in Pool)
            {
                Assert.True(Scan(stored, eventSubject) == scope.Decide(eventSubject), $"round {round}: {string.Join(", ", stored.Select(s => (s.Included ? "+" : "-") + s.SubjectKey))} for {eventSubject.CanonicalKey}");
            }
        }
    }

    [Fact]
    public void Record_OneChangeAtATime_EqualsTheStoredList_AndDecidesAsIt()
    {
        var random = new Random(8);
        var scope = SubjectScope.From([]);
        var changes = new List<(SubjectIdentifier Subject, bool Included)>();
        for (var i = 0; i < 200; i++)
        {
            var change = (Subject: Pool[random.Next(Pool.Length)], Included: random.Next(2) == 0);
            changes.Add(change);
            scope.Record(Stored(change.Subject, change.Included));

            var stored = AsStored(changes);
            Assert.True(scope.Holds(stored));
            Assert.Equal(stored.Count, scope.Count);
            foreach (var eventSubject in Pool)
            {
                Assert.Equal(Scan(stored, eventSubject), scope.Decide(eventSubject));
            }
        }
    }

    [Fact]
    public void Holds_OnlyTheSameSubjects_DecisionsAndOrder()
    {
        var stored = AsStored([(Alice, true), (Complex(("tenant", Tenant1)), false), (Bob, true)]);
        var scope = SubjectScope.From(stored);

        Assert.True(scope.Holds(stored));
        Assert.False(scope.Holds([stored[1], stored[0], stored[2]]));
        Assert.False(scope.Holds([stored[0], stored[1], stored[2] with { Included = false }]));
        Assert.False(scope.Holds([stored[0], stored[1]]));
        Assert.False(scope.Holds([stored[0], stored[1], Stored(Phone, true)]));
    }

    [Fact]
    public void Decide_AMillionSimpleSubjects_FindsEachAndOnlyThem()
    {
        var stored = Enumerable.Range(0, 1_000_000).Select(i => Stored(new EmailSubject($"user{i}@example.com"), i % 3 != 0)).ToList();
        var scope = SubjectScope.From(stored);

        Assert.Equal(1_000_000, scope.Count);
        Assert.True(scope.Decide(new EmailSubject("user1@example.com")));
        Assert.False(scope.Decide(new EmailSubject("user999999@example.com")));
        Assert.Null(scope.Decide(new EmailSubject("user1000000@example.com")));
        Assert.False(scope.Decide(Complex(("user", new EmailSubject("user3@example.com")), ("tenant", Tenant1))));
    }

    [Fact]
    public void Loader_BuildsAnIndex_OrKeepsTheCurrentOneOnlyWhenItHoldsExactlyTheRows()
    {
        var stored = AsStored([(Alice, true), (Complex(("tenant", Tenant1)), false), (Bob, true), (Phone, false)]);
        var scope = SubjectScope.From(stored);

        Assert.Same(scope, Load(scope, stored));
        Assert.Null(Load(scope, stored.Take(3)));
        Assert.Null(Load(scope, [stored[1], stored[0], stored[2], stored[3]]));
        Assert.Null(Load(scope, [.. stored, Stored(Tenant2, true)]));
        Assert.Null(Load(scope, [.. stored.Take(3), stored[3] with { Included = true }]));

        var built = Load(null, stored)!;
        Assert.NotSame(scope, built);
        Assert.True(built.Holds(stored));
        foreach (var eventSubject in Pool)
        {
            Assert.Equal(Scan(stored, eventSubject), built.Decide(eventSubject));
        }
    }

    [Fact]
    public void Record_AfterLoadingManySubjects_GrowsTheIndex_AndKeepsEveryDecision()
    {
        var changes = Enumerable.Range(0, 5_000).Select(i => (Subject: (SubjectIdentifier)new EmailSubject($"user{i}@example.com"), Included: i % 2 == 0)).ToList();
        var scope = SubjectScope.From(AsStored(changes));

        // Past the loaded size (the index was trimmed to it), and back over the loaded subjects.
        for (var i = 0; i < 5_000; i++)
        {
            var change = (Subject: (SubjectIdentifier)new EmailSubject($"user{(i * 3) % 10_000}@example.com"), Included: i % 3 == 0);
            changes.Add(change);
            scope.Record(Stored(change.Subject, change.Included));
        }

        var stored = AsStored(changes);
        Assert.Equal(stored.Count, scope.Count);
        Assert.True(scope.Holds(stored));
        foreach (var subject in stored)
        {
            Assert.Equal(subject.Included, scope.Decide(SubjectIdentifier.Parse(subject.Subject)));
        }

        Assert.Null(scope.Decide(new EmailSubject("user10000@example.com")));
    }

    [Fact]
    public void Decide_MoreKeyPrefixesThanAreKeptOnce_FindsEachSubjectAndOnlyIt()
    {
        // Each issuer is a prefix of its own (iss_sub keys end with "sub"): past the 255 kept once, keys are kept whole.
        var changes = Enumerable.Range(0, 600)
            .SelectMany(i => new[] { ((SubjectIdentifier)new IssSubSubject($"https://idp{i}.example", $"u{i % 7}"), i % 2 == 0), (new EmailSubject($"user{i}@example.com"), i % 3 != 0) })
            .ToList();
        var stored = AsStored(changes);
        var scope = SubjectScope.From(stored.Take(700));
        foreach (var subject in stored.Skip(700))
        {
            scope.Record(subject);
        }

        Assert.True(scope.Holds(stored));
        foreach (var (subject, included) in changes)
        {
            Assert.Equal(included, scope.Decide(subject));
        }

        Assert.Null(scope.Decide(new IssSubSubject("https://idp1.example", "u0")));
        Assert.Null(scope.Decide(new IssSubSubject("https://idp599.example", "u0")));
        Assert.Null(scope.Decide(new IssSubSubject("https://idp600.example", "u5")));
        Assert.Null(scope.Decide(new EmailSubject("user600@example.com")));
        Assert.Null(scope.Decide(new OpaqueSubject("user1@example.com")));
    }

    /// <summary>What <see cref="SubjectScope.Loader"/> makes of rows handed over one at a time.</summary>
    private static SubjectScope? Load(SubjectScope? current, IEnumerable<StreamSubject> rows)
    {
        var loader = new SubjectScope.Loader(current);
        foreach (var row in rows)
        {
            loader.Add(row);
        }

        return loader.Finish();
    }

    /// <summary>The scan the index replaced: the latest change to a matching subject decides; null when none matches.</summary>
    private static bool? Scan(IReadOnlyList<StreamSubject> stored, SubjectIdentifier eventSubject)
    {
        for (var i = stored.Count - 1; i >= 0; i--)
        {
            if (SubjectIdentifier.Parse(stored[i].Subject).Matches(eventSubject))
            {
                return stored[i].Included;
            }
        }

        return null;
    }

    /// <summary>What the store lists after these changes: one row per subject, its latest change last.</summary>
    private static List<StreamSubject> AsStored(IEnumerable<(SubjectIdentifier Subject, bool Included)> changes)
    {
        var stored = new List<StreamSubject>();
        foreach (var (subject, included) in changes)
        {
            stored.RemoveAll(s => s.SubjectKey == subject.CanonicalKey);
            stored.Add(Stored(subject, included));
        }

        return stored;
    }

    private static StreamSubject Stored(SubjectIdentifier subject, bool included) =>
        new(subject.CanonicalKey, subject.ToJson(), Verified: true, DateTimeOffset.UnixEpoch) { Included = included };

    private static ComplexSubject Complex(params (string Name, SubjectIdentifier Member)[] members) =>
        new(members.ToDictionary(m => m.Name, m => m.Member, StringComparer.Ordinal));
}
