namespace SharpSignals.Storage.Streams;

/// <summary>A subject the receiver added to a stream or removed from it (SSF 1.0 §8.1.3).</summary>
/// <param name="SubjectKey">The subject's canonical form, unique within the stream.</param>
/// <param name="Subject">The subject identifier as JSON.</param>
/// <param name="Verified">The receiver's <c>verified</c> flag.</param>
/// <param name="AddedAt">When it was added, or removed.</param>
public sealed record StreamSubject(string SubjectKey, string Subject, bool Verified, DateTimeOffset AddedAt)
{
    /// <summary>
    /// True for a subject the receiver added (its events are in scope), false for one it removed
    /// (they are not, also under <c>default_subjects</c> ALL).
    /// </summary>
    public bool Included { get; init; } = true;
}
