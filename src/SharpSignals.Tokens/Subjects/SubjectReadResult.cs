namespace SharpSignals.Tokens.Subjects;

/// <summary>The outcome of reading a subject identifier: the identifier, or every problem found.</summary>
/// <param name="Subject">The identifier when it is valid.</param>
/// <param name="Errors">The problems; empty when <paramref name="Subject"/> is set.</param>
public sealed record SubjectReadResult(SubjectIdentifier? Subject, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the identifier was read and is valid.</summary>
    public bool IsValid => Subject is not null;
}
