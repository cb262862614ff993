using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.6: a decentralized identifier URL (a bare DID is allowed).</summary>
public sealed record DidSubject(string Url) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Did;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("url", Url);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "url", Url) && !Url.StartsWith("did:", StringComparison.Ordinal)) { errors.Add($"{path}.url must be a DID URL (did:...)"); }
    }
}
