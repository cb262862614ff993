using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.8: several identifiers that all name one subject; never nested.</summary>
/// <param name="Identifiers">The identifiers, at least one.</param>
public sealed record AliasesSubject(IReadOnlyList<SubjectIdentifier> Identifiers) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Aliases;

    /// <inheritdoc/>
    public bool Equals(AliasesSubject? other) => other is not null && CanonicalKey == other.CanonicalKey;

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray("identifiers");
        foreach (var identifier in Identifiers)
        {
            identifier.WriteTo(writer);
        }

        writer.WriteEndArray();
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Identifiers is null || Identifiers.Count == 0)
        {
            errors.Add($"{path}.identifiers must hold at least one identifier");
            return;
        }

        for (var i = 0; i < Identifiers.Count; i++)
        {
            var memberPath = $"{path}.identifiers[{i}]";
            if (Identifiers[i] is AliasesSubject or ComplexSubject)
            {
                errors.Add($"{memberPath} must be a simple identifier (aliases cannot nest)");
                continue;
            }

            Identifiers[i].CollectErrorsInternal(errors, memberPath);
        }
    }
}
