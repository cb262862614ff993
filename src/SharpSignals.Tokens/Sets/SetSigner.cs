using System.Buffers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Sets;

/// <summary>
/// Signs SETs as compact JWS with <c>typ: secevent+jwt</c> and the key's <c>kid</c> (SSF 1.0 §4.1).
/// Thread-safe; keep one per key.
/// </summary>
/// <param name="key">The signing key.</param>
public sealed class SetSigner(SetSigningKey key)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private static readonly Dictionary<string, object> Header = new(StringComparer.Ordinal) { ["typ"] = SetMediaTypes.JoseType };

    /// <summary><c>{"alg":"none"}</c> base64url-encoded, and the dot after it: the start of an unsecured JWT (RFC 7519 §6.1).</summary>
    private const string UnsecuredHeader = "eyJhbGciOiJub25lIn0.";

    private Jws? _jws;

    /// <summary>The key this signer signs with.</summary>
    public SetSigningKey Key { get; } = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>Checks the SET against the SSF profile and signs it.</summary>
    /// <param name="set">The claims.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException">The SET breaks a rule (such as two unrelated events, or an invalid payload).</exception>
    public string Sign(SecurityEventToken set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var errors = set.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The SET is not valid: {string.Join("; ", errors)}", nameof(set));
        }

        var payload = SetPayload.RentUtf8(set);
        try
        {
            var jws = Volatile.Read(ref _jws) ?? CreateJws();

            // JsonWebTokenHandler takes the claims as text and encodes them back to UTF-8. SetPayload
            // escapes what is not ASCII, so its bytes are that encoding already; a claims set that still
            // holds other bytes (raw JSON carried through) goes the handler's way, as it always did.
            return (Ascii.IsValid(payload.WrittenSpan) ? jws.Sign(payload.WrittenSpan) : null)
                ?? SignPayload(Encoding.UTF8.GetString(payload.WrittenSpan));
        }
        finally
        {
            SetPayload.Return(payload);
        }
    }

    /// <summary>
    /// The claims as an unsecured JWT (RFC 7519 §6): <c>{"alg":"none"}</c>, the claims and an empty
    /// signature. For a store that keeps the claims of a SET it signs only where it sends one
    /// (<see cref="SignUnsecured"/>); never send it: receivers refuse <c>alg: none</c> (RFC 8417 §2.2).
    /// </summary>
    /// <param name="set">The claims, already checked.</param>
    /// <returns>The compact unsecured JWT.</returns>
    public static string Unsecured(SecurityEventToken set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var payload = SetPayload.RentUtf8(set);
        try
        {
            var encoded = payload.WrittenSpan;
            var length = UnsecuredHeader.Length + System.Buffers.Text.Base64Url.GetEncodedLength(encoded.Length) + 1;
            return string.Create(length, payload, static (chars, payload) =>
            {
                UnsecuredHeader.CopyTo(chars);
                var written = System.Buffers.Text.Base64Url.EncodeToChars(payload.WrittenSpan, chars[UnsecuredHeader.Length..]);
                chars[UnsecuredHeader.Length + written] = '.';
            });
        }
        finally
        {
            SetPayload.Return(payload);
        }
    }

    /// <summary>Whether <paramref name="token"/> is an unsecured JWT that <see cref="Unsecured"/> made.</summary>
    /// <param name="token">A compact JWT.</param>
    /// <returns>True when its header is <c>{"alg":"none"}</c>.</returns>
    public static bool IsUnsecured(string token) => token?.StartsWith(UnsecuredHeader, StringComparison.Ordinal) == true;

    /// <summary>Signs the claims of an unsecured JWT that <see cref="Unsecured"/> made, as they are.</summary>
    /// <param name="unsecured">The unsecured JWT.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException"><paramref name="unsecured"/> is not an unsecured JWT.</exception>
    public string SignUnsecured(string unsecured)
    {
        if (!IsUnsecured(unsecured) || !unsecured.EndsWith('.'))
        {
            throw new ArgumentException("Not an unsecured JWT.", nameof(unsecured));
        }

        var claims = System.Buffers.Text.Base64Url.DecodeFromChars(unsecured.AsSpan(UnsecuredHeader.Length, unsecured.Length - UnsecuredHeader.Length - 1));
        return (Ascii.IsValid(claims) ? (Volatile.Read(ref _jws) ?? CreateJws()).Sign(claims) : null) ?? SignPayload(Encoding.UTF8.GetString(claims));
    }

    /// <summary>Signs a claims set that was checked elsewhere, such as one read back from storage.</summary>
    /// <param name="payloadJson">The claims set JSON.</param>
    /// <returns>The compact JWS.</returns>
    public string SignPayload(string payloadJson) => Handler.CreateToken(payloadJson, Key.Credentials, Header);

    private Jws CreateJws()
    {
        // Threads that race here make equal parts; the first one published is kept.
        var created = Jws.For(Key);
        return Interlocked.CompareExchange(ref _jws, created, null) ?? created;
    }

    /// <summary>
    /// What <see cref="JsonWebTokenHandler.CreateToken(string, SigningCredentials, IDictionary{string, object})"/>
    /// rebuilds for every token although it depends on the key alone: the encoded JOSE header, and the
    /// signature provider fetched from the crypto provider cache. Both come from IdentityModel once;
    /// each token then costs the base64url encoding and the signature itself (RFC 7515 §7.1).
    /// </summary>
    private sealed class Jws
    {
        /// <summary>For keys with a custom crypto provider, which is asked for every token, as before.</summary>
        private static readonly Jws HandlerOnly = new("", null, 0);

        private readonly string _encodedHeader;
        private readonly SignatureProvider? _provider;
        private readonly int _maxSignatureLength;

        private Jws(string encodedHeader, SignatureProvider? provider, int maxSignatureLength)
        {
            _encodedHeader = encodedHeader;
            _provider = provider;
            _maxSignatureLength = maxSignatureLength;
        }

        public static Jws For(SetSigningKey key)
        {
            var credentials = key.Credentials;
            var factory = credentials.CryptoProviderFactory ?? credentials.Key.CryptoProviderFactory;
            if (factory.CustomCryptoProvider is not null)
            {
                return HandlerOnly;
            }

            // The header is whatever the handler writes for these credentials (alg, kid, typ), taken from
            // a token it signs; it throws here, on first use, what it would throw for every SET.
            var probe = Handler.CreateToken("{}", credentials, Header);
            var encodedHeader = probe[..probe.IndexOf('.', StringComparison.Ordinal)];

            // Held for the signer's lifetime: the reference keeps the cache from disposing it.
            var provider = factory.CreateForSigning(credentials.Key, credentials.Algorithm);
            var keyBytes = (key.SecurityKey.KeySize + 7) / 8;
            return new Jws(encodedHeader, provider, SigningAlgorithms.IsRsa(key.Algorithm) ? keyBytes : 2 * keyBytes);
        }

        /// <summary>The compact JWS of an ASCII claims set, or null when the handler has to make it.</summary>
        public string? Sign(ReadOnlySpan<byte> payload)
        {
            if (_provider is null)
            {
                return null;
            }

            var headerLength = _encodedHeader.Length;
            var signingInputLength = headerLength + 1 + Base64UrlLength(payload.Length);
            var chars = ArrayPool<char>.Shared.Rent(signingInputLength + 1 + Base64UrlLength(_maxSignatureLength));
            var signingInput = ArrayPool<byte>.Shared.Rent(signingInputLength);
            var signature = ArrayPool<byte>.Shared.Rent(_maxSignatureLength);
            try
            {
                _encodedHeader.CopyTo(chars);
                chars[headerLength] = '.';
                var length = headerLength + 1 + Base64UrlEncoder.Encode(payload, chars.AsSpan(headerLength + 1));
                var inputLength = Encoding.ASCII.GetBytes(chars.AsSpan(0, length), signingInput);
                if (!_provider.Sign(signingInput.AsSpan(0, inputLength), signature, out var signatureLength))
                {
                    return null;
                }

                chars[length++] = '.';
                length += Base64UrlEncoder.Encode(signature.AsSpan(0, signatureLength), chars.AsSpan(length));
                return new string(chars, 0, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(signature);
                ArrayPool<byte>.Shared.Return(signingInput);
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        /// <summary>Room for the base64url of <paramref name="bytes"/> bytes (the padded length, a little more than needed).</summary>
        private static int Base64UrlLength(int bytes) => (bytes + 2) / 3 * 4;
    }
}
