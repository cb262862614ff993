namespace SharpSignals.Receiver.Configuration;

/// <summary>
/// Maps one claim of the application's signed-in users to a subject identifier (RFC 9493), so that
/// events about that identifier reach that user: <c>email</c> (the claim is the address),
/// <c>iss_sub</c> (the claim is the <c>sub</c>, <see cref="Issuer"/> the <c>iss</c>), <c>opaque</c>
/// (the claim is the <c>id</c>) or <c>phone_number</c>.
/// </summary>
public sealed class SubjectClaimMapping
{
    /// <summary>The subject identifier format: <c>email</c>, <c>iss_sub</c>, <c>opaque</c> or <c>phone_number</c>.</summary>
    public string Format { get; set; } = "";

    /// <summary>The claim type holding the value, such as <c>email</c> or <c>http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress</c>.</summary>
    public string Claim { get; set; } = "";

    /// <summary>For <c>iss_sub</c>: the identity provider's issuer, the <c>iss</c> of the identifier.</summary>
    public string? Issuer { get; set; }
}
