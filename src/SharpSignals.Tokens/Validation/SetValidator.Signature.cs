using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

public sealed partial class SetValidator
{
    /// <summary>
    /// Verifying providers by key object and algorithm. Taking one from the crypto provider factory on
    /// every SET formats a cache key and counts a reference in and out; a key keeps its providers for
    /// as long as it lives (a JWKS refresh brings new key objects, and the old entries go with them).
    /// </summary>
    private static readonly ConditionalWeakTable<SecurityKey, ConcurrentDictionary<string, SignatureProvider>> Verifiers = [];

    private async ValueTask<(SetValidationResult? Error, string? KeyId)> VerifySignatureAsync(
        string token, JwsParts jws, CancellationToken cancellationToken)
    {
        var algorithm = jws.Algorithm;
        if (string.IsNullOrEmpty(algorithm) || algorithm == SecurityAlgorithms.None)
        {
            return (SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "The SET is not signed (alg none); unsigned SETs are never accepted."), null);
        }

        if (!_options.Algorithms.Contains(algorithm))
        {
            return (SetValidationResult.Fail(SetErrorCodes.InvalidKey,
                $"Signing algorithm {algorithm} is not accepted; use one of {string.Join(", ", _options.Algorithms)}."), null);
        }

        if (jws.EncodedSignature.IsEmpty)
        {
            return (SetValidationResult.Fail(SetErrorCodes.AuthenticationFailed, "The SET has no signature."), null);
        }

        var keyId = string.IsNullOrEmpty(jws.KeyId) ? null : jws.KeyId;
        SetKeyLookup lookup;
        try
        {
            lookup = await _options.Keys.LookupAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
        catch (JwksFetchException ex)
        {
            return (SetValidationResult.Fail(SetErrorCodes.InvalidKey, ex.Message) with { IsTransient = true }, null);
        }

        var keys = lookup.Keys;
        var candidates = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            candidates += Fits(keys[i], algorithm) ? 1 : 0;
        }

        if (candidates == 0 && lookup.RetryAfter is { } retryAfter)
        {
            // The issuer may have rotated to this key a moment ago and its keys cannot be fetched again
            // yet: offered again later, the SET is taken; refused now, it would be lost.
            return (SetValidationResult.Fail(SetErrorCodes.InvalidKey,
                $"The issuer's key with kid '{keyId}' is not known yet; its keys are fetched again in {Math.Ceiling(retryAfter.TotalSeconds):0} s.")
                with { IsTransient = true, RetryAfter = retryAfter }, null);
        }

        if (candidates == 0)
        {
            return (SetValidationResult.Fail(SetErrorCodes.InvalidKey, keyId is null
                ? $"The issuer publishes no key for {algorithm}."
                : $"The issuer publishes no {algorithm} key with kid '{keyId}'."), null);
        }

        var signingInputLength = token.LastIndexOf('.');
        var input = ArrayPool<byte>.Shared.Rent(signingInputLength);
        try
        {
            var length = Encoding.ASCII.GetBytes(token.AsSpan(0, signingInputLength), input);
            // Base64Url's decoder steps over white space, which the compact serialization does not have (RFC 7515 §7.1).
            var signature = StrictJose.IsBase64Url(jws.EncodedSignature.Span) ? Base64Url.DecodeFromChars(jws.EncodedSignature.Span) : [];
            for (var i = 0; i < keys.Count; i++)
            {
                if (Fits(keys[i], algorithm) && Verify(keys[i], algorithm, input, length, signature))
                {
                    return (null, keys[i].KeyId);
                }
            }
        }
        catch (FormatException)
        {
            // A signature that is not base64url cannot verify.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }

        return (SetValidationResult.Fail(SetErrorCodes.AuthenticationFailed, "The signature does not verify with the issuer's key."), null);
    }

    /// <summary>Whether the key's type matches the algorithm, so that no key is used with an algorithm it was not made for.</summary>
    private static bool Fits(SecurityKey key, string algorithm) =>
        (SigningAlgorithms.IsRsa(algorithm) ? key is RsaSecurityKey : key is ECDsaSecurityKey)
        && key.CryptoProviderFactory.IsSupportedAlgorithm(algorithm, key);

    private static bool Verify(SecurityKey key, string algorithm, byte[] input, int length, byte[] signature)
    {
        var factory = key.CryptoProviderFactory;
        if (factory.CustomCryptoProvider is not null)
        {
            // A custom provider may count on being released after each use.
            return VerifyOnce(factory, key, algorithm, input, length, signature);
        }

        try
        {
            var byAlgorithm = Verifiers.GetValue(key, static _ => new ConcurrentDictionary<string, SignatureProvider>(StringComparer.Ordinal));
            if (!byAlgorithm.TryGetValue(algorithm, out var provider))
            {
                // Built outside the factory's cache: this table owns it, and it lives as long as its key.
                var created = factory.CreateForVerifying(key, algorithm, cacheProvider: false);
                provider = byAlgorithm.GetOrAdd(algorithm, created);
                if (!ReferenceEquals(provider, created))
                {
                    created.Dispose();
                }
            }

            return provider.Verify(input, 0, length, signature, 0, signature.Length);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or CryptographicException)
        {
            // An EC key of another curve than the algorithm's, for example.
            return false;
        }
    }

    private static bool VerifyOnce(CryptoProviderFactory factory, SecurityKey key, string algorithm, byte[] input, int length, byte[] signature)
    {
        SignatureProvider? provider = null;
        try
        {
            provider = factory.CreateForVerifying(key, algorithm);
            return provider.Verify(input, 0, length, signature, 0, signature.Length);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or CryptographicException)
        {
            return false;
        }
        finally
        {
            if (provider is not null)
            {
                factory.ReleaseSignatureProvider(provider);
            }
        }
    }
}
