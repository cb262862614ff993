using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>
/// An identifier in a format this library does not know (SSF 1.0 §3.2 allows proprietary formats
/// agreed between the parties). Its members are kept as they came and written back unchanged.
/// </summary>
/// <param name="FormatName">The value of <c>format</c>.</param>
/// <param name="Members">The other members.</param>
public sealed record UnknownSubject(string FormatName, IReadOnlyDictionary<string, JsonElement> Members) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <inheritdoc/>
    public bool Equals(UnknownSubject? other) => other is not null && CanonicalKey == other.CanonicalKey;

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (name, value) in Members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(FormatName))
        {
            errors.Add($"{path}.format is required");
        }
    }
}
