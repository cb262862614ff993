using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.4: an opaque string; SSF uses it with the <c>stream_id</c> for stream-level events.</summary>
public sealed record OpaqueSubject(string Id) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Opaque;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("id", Id);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        Require(errors, path, "id", Id);
    }
}
