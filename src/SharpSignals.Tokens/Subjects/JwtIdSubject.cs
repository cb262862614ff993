using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>SSF 1.0 §3.4.1: a JWT, by the issuer and <c>jti</c> it carries.</summary>
public sealed record JwtIdSubject(string Iss, string Jti) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.JwtId;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("iss", Iss);
        writer.WriteString("jti", Jti);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        Require(errors, path, "iss", Iss);
        Require(errors, path, "jti", Jti);
    }
}
