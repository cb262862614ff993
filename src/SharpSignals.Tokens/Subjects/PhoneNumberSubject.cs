using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.5: a telephone number in E.164 form, such as <c>+12065550100</c>.</summary>
public sealed record PhoneNumberSubject(string PhoneNumber) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.PhoneNumber;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("phone_number", PhoneNumber);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "phone_number", PhoneNumber) && !SubjectSyntax.IsE164(PhoneNumber)) { errors.Add($"{path}.phone_number must be an E.164 number such as +12065550100"); }
    }
}
