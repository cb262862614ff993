using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>SSF 1.0 §3.4.2: a SAML assertion, by its issuer and assertion ID.</summary>
public sealed record SamlAssertionIdSubject(string AssertionId, string Issuer) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.SamlAssertionId;

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("assertion_id", AssertionId);
        writer.WriteString("issuer", Issuer);
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        Require(errors, path, "assertion_id", AssertionId);
        Require(errors, path, "issuer", Issuer);
    }
}
