using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.1: an account, as an <c>acct:</c> URI (RFC 7565).</summary>
public sealed record AccountSubject(string Uri) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Account;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("uri", Uri);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "uri", Uri) && !Uri.StartsWith("acct:", StringComparison.OrdinalIgnoreCase)) { errors.Add($"{path}.uri must be an acct: URI"); }
    }
}
