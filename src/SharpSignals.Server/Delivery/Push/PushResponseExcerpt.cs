using System.Text;
using System.Text.RegularExpressions;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// What a push attempt keeps of the receiver's answer: the first KiB of its body, never a header of
/// the request or the answer. A receiver may echo what it was sent, so the stream's own
/// <c>authorization_header</c> (and its credential without the scheme) is masked, and so is anything
/// shaped like a credential: a Bearer or Basic value, a JWT (which also covers an echoed SET) and a
/// stream credential (<c>ssc_</c>). Masking is by shape, so it can miss a secret of a shape it does
/// not know; the excerpt is for an operator finding out why a receiver refuses, as a log line is.
/// </summary>
internal static partial class PushResponseExcerpt
{
    /// <summary>How much of the body is kept.</summary>
    public const int MaxBytes = 1024;

    private const string Masked = "[masked]";

    /// <summary>The excerpt of a buffered answer; null when its body is empty.</summary>
    public static string? Read(HttpContent content, string? authorizationHeader)
    {
        if (content.Headers.ContentLength == 0)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[MaxBytes];
        using var body = content.ReadAsStream();
        var read = body.ReadAtLeast(buffer, MaxBytes, throwOnEndOfStream: false);

        // A character cut at the end becomes U+FFFD; the excerpt is for reading, not parsing.
        return read == 0 ? null : Mask(Encoding.UTF8.GetString(buffer[..read]), authorizationHeader);
    }

    /// <summary>The text with the stream's credential and anything shaped like a credential masked.</summary>
    public static string Mask(string text, string? authorizationHeader)
    {
        if (!string.IsNullOrEmpty(authorizationHeader))
        {
            text = text.Replace(authorizationHeader, Masked, StringComparison.Ordinal);
            var space = authorizationHeader.IndexOf(' ', StringComparison.Ordinal);
            var credential = space < 0 ? authorizationHeader : authorizationHeader[(space + 1)..].Trim();
            if (credential.Length >= 8)
            {
                text = text.Replace(credential, Masked, StringComparison.Ordinal);
            }
        }

        text = SchemeCredential().Replace(text, "$1 " + Masked);
        return TokenShaped().Replace(text, Masked);
    }

    [GeneratedRegex(@"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SchemeCredential();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*|\bssc_[A-Za-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenShaped();
}
