using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Routing;

/// <summary>
/// A complex or <c>aliases</c> subject the receiver added to a stream (<paramref name="Included"/>) or
/// removed from it (SSF 1.0 §8.1.3), as <see cref="SubjectScope"/> keeps it: <paramref name="Order"/> is
/// that of the receiver's latest change to it, <paramref name="Leaves"/> the canonical keys (UTF-8) of the
/// simple identifiers it is made of.
/// </summary>
internal sealed record RouteSubject(SubjectIdentifier Subject, bool Included, long Order, byte[][] Leaves)
{
    /// <summary>The order and decision in one number, compared as <see cref="SubjectScope"/> compares every entry.</summary>
    public long Value => (Order * 2) + (Included ? 1 : 0);
}
