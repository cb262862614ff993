using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Routing;

/// <summary>A subject the receiver added to a stream (<paramref name="Included"/>) or removed from it (SSF 1.0 §8.1.3).</summary>
internal sealed record RouteSubject(SubjectIdentifier Subject, bool Included);
