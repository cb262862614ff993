namespace SharpSignals.Tokens.Sets;

/// <summary>Media types and JOSE <c>typ</c> values for SETs (RFC 8417 §2.3).</summary>
public static class SetMediaTypes
{
    /// <summary>The JOSE header <c>typ</c> every SSF SET carries (SSF 1.0 §4.1.1).</summary>
    public const string JoseType = "secevent+jwt";

    /// <summary>The HTTP content type of a pushed SET (RFC 8935 §2).</summary>
    public const string ContentType = "application/secevent+jwt";
}
