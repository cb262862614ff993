using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.7: an absolute URI.</summary>
public sealed record UriSubject(string Uri) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Uri;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("uri", Uri);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "uri", Uri) && !System.Uri.IsWellFormedUriString(Uri, UriKind.Absolute)) { errors.Add($"{path}.uri must be an absolute URI"); }
    }
}
