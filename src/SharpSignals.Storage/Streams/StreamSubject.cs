namespace SharpSignals.Storage.Streams;

/// <summary>A subject added to a stream (SSF 1.0 §8.1.3).</summary>
/// <param name="SubjectKey">The subject's canonical form, unique within the stream.</param>
/// <param name="Subject">The subject identifier as JSON.</param>
/// <param name="Verified">The receiver's <c>verified</c> flag.</param>
/// <param name="AddedAt">When it was added.</param>
public sealed record StreamSubject(string SubjectKey, string Subject, bool Verified, DateTimeOffset AddedAt);
