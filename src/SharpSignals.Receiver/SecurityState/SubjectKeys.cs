using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>Which keys an event's subject changes, and the key of one simple identifier.</summary>
internal static class SubjectKeys
{
    /// <summary>
    /// SSF 1.0 §3.3: a complex subject describes one principal; when it names the <c>user</c>, the
    /// state is the user's (a session or device of that user is the user's concern); otherwise each
    /// member's. Every alias of an <c>aliases</c> subject (RFC 9493 §3.2.8) names the same subject.
    /// </summary>
    public static IEnumerable<SubjectIdentifier> Targets(SubjectIdentifier subject) => subject switch
    {
        ComplexSubject { User: { } user } => Targets(user),
        ComplexSubject complex => complex.Members.Values.SelectMany(Targets),
        AliasesSubject aliases => aliases.Identifiers.SelectMany(Targets),
        _ => [subject],
    };

    /// <summary>The identifier's canonical JSON; email addresses compared without case, as mail systems do in practice.</summary>
    public static string Key(SubjectIdentifier subject) => subject is EmailSubject email
        ? new EmailSubject(email.Email.ToLowerInvariant()).CanonicalKey
        : subject.CanonicalKey;
}
