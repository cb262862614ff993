using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>RFC 9493 §3.2.2: an email address (RFC 5322 addr-spec).</summary>
public sealed record EmailSubject(string Email) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Email;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("email", Email);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "email", Email) && !SubjectSyntax.IsEmail(Email)) { errors.Add($"{path}.email must be an email address"); }
    }
}
