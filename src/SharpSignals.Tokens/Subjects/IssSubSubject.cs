using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.3: a subject as an issuer and the subject claim it issued.</summary>
public sealed record IssSubSubject(string Iss, string Sub) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.IssuerSubject;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("iss", Iss);
        writer.WriteString("sub", Sub);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        Require(errors, path, "iss", Iss);
        Require(errors, path, "sub", Sub);
    }
}
