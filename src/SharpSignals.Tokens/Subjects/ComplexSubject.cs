using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>
/// SSF 1.0 §3.3: one principal described by several simple identifiers, one per member name
/// (<see cref="ComplexSubjectMembers"/> or any other name).
/// </summary>
/// <param name="Members">The member name and the simple identifier it holds.</param>
public sealed record ComplexSubject(IReadOnlyDictionary<string, SubjectIdentifier> Members) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Complex;

    /// <summary>The <c>user</c> member, if present.</summary>
    public SubjectIdentifier? User => Members.GetValueOrDefault(ComplexSubjectMembers.User);

    /// <summary>The <c>device</c> member, if present.</summary>
    public SubjectIdentifier? Device => Members.GetValueOrDefault(ComplexSubjectMembers.Device);

    /// <summary>The <c>session</c> member, if present.</summary>
    public SubjectIdentifier? Session => Members.GetValueOrDefault(ComplexSubjectMembers.Session);

    /// <summary>The <c>tenant</c> member, if present.</summary>
    public SubjectIdentifier? Tenant => Members.GetValueOrDefault(ComplexSubjectMembers.Tenant);

    /// <inheritdoc/>
    public bool Equals(ComplexSubject? other) => other is not null && CanonicalKey == other.CanonicalKey;

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (name, identifier) in Members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(name);
            identifier.WriteTo(writer);
        }
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Members is null || Members.Count == 0)
        {
            errors.Add($"{path} is a complex subject without members");
            return;
        }

        foreach (var (name, identifier) in Members)
        {
            if (identifier is ComplexSubject)
            {
                errors.Add($"{path}.{name} must be a simple identifier");
                continue;
            }

            identifier.CollectErrorsInternal(errors, $"{path}.{name}");
        }
    }
}
