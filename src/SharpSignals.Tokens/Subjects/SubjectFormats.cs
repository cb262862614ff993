namespace SharpSignals.Tokens.Subjects;

/// <summary>Subject identifier formats: RFC 9493 §3, SSF 1.0 §3 and RFC 9967.</summary>
public static class SubjectFormats
{
    /// <summary>RFC 9493 §3.2.1: an <c>acct:</c> URI.</summary>
    public const string Account = "account";

    /// <summary>RFC 9493 §3.2.2: an email address.</summary>
    public const string Email = "email";

    /// <summary>RFC 9493 §3.2.3: an issuer and subject pair.</summary>
    public const string IssuerSubject = "iss_sub";

    /// <summary>RFC 9493 §3.2.4: an opaque string.</summary>
    public const string Opaque = "opaque";

    /// <summary>RFC 9493 §3.2.5: an E.164 telephone number.</summary>
    public const string PhoneNumber = "phone_number";

    /// <summary>RFC 9493 §3.2.6: a decentralized identifier URL.</summary>
    public const string Did = "did";

    /// <summary>RFC 9493 §3.2.7: an absolute URI.</summary>
    public const string Uri = "uri";

    /// <summary>RFC 9493 §3.2.8: several identifiers for one subject.</summary>
    public const string Aliases = "aliases";

    /// <summary>SSF 1.0 §3.4.1: a JWT, by its issuer and <c>jti</c>.</summary>
    public const string JwtId = "jwt_id";

    /// <summary>SSF 1.0 §3.4.2: a SAML assertion, by its issuer and ID.</summary>
    public const string SamlAssertionId = "saml_assertion_id";

    /// <summary>SSF 1.0 §3.4.3: one or more IP addresses.</summary>
    public const string IpAddresses = "ip-addresses";

    /// <summary>SSF 1.0 §3.3: a subject described by several simple identifiers.</summary>
    public const string Complex = "complex";

    /// <summary>RFC 9967: a SCIM resource.</summary>
    public const string Scim = "scim";
}
