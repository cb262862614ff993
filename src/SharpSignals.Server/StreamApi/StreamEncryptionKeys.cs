using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Client;
using SharpSignals.Server.Http;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Sources;
using SharpSignals.Server.Streams;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// The <c>encryption</c> member of an outbound stream (docs/API.md, "Encrypted SETs"): its rules, and
/// the receiver key behind a <c>jwks_uri</c>, fetched (over the guarded handler, like every address a
/// caller gives) when the stream is created or its encryption is set, and stored with the stream. So an
/// event is never held up or lost on a fetch: routing encrypts with the stored key, and a receiver
/// that rotates its key sets the member again to have the new one fetched.
/// </summary>
internal sealed class StreamEncryptionKeys(SourceHttp http)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(15);

    /// <summary>What <see cref="Check"/> tries to encrypt, to know the key works before a SET depends on it.</summary>
    private const string Probe = "e30.e30.";

    /// <summary>
    /// The member as given, checked: a supported <c>alg</c>/<c>enc</c> pair, exactly one of
    /// <c>jwks_uri</c> (passing the outbound address rules) and <c>jwk</c> (a public key with
    /// <c>use: enc</c> of the type the <c>alg</c> needs), and only on an outbound stream.
    /// </summary>
    /// <returns>The member with an inline key kept by its public members only; null when absent or wrong.</returns>
    public static StreamEncryption? Check(StreamEncryption? requested, bool inbound, OutboundAddressPolicy addresses, List<string> errors)
    {
        if (requested is null)
        {
            return null;
        }

        var count = errors.Count;
        if (inbound)
        {
            errors.Add("encryption is only for outbound streams: SETs sent to this server are encrypted to the keys in its JWKS");
        }

        if (requested.Algorithm.Length > 0 && !SetEncryption.KeyManagementAlgorithms.Contains(requested.Algorithm))
        {
            errors.Add($"encryption.alg {requested.Algorithm} is not supported; use one of {string.Join(", ", SetEncryption.KeyManagementAlgorithms)}");
        }

        if (requested.ContentEncryption.Length > 0 && !SetEncryption.ContentEncryptionAlgorithms.Contains(requested.ContentEncryption))
        {
            errors.Add($"encryption.enc {requested.ContentEncryption} is not supported; use one of {string.Join(", ", SetEncryption.ContentEncryptionAlgorithms)}");
        }
        else if (errors.Count == count && requested.Algorithm.Length > 0 && requested.ContentEncryption.Length > 0
            && !SetEncryption.Supports(requested.Algorithm, requested.ContentEncryption))
        {
            errors.Add($"encryption.alg {requested.Algorithm} does not go with encryption.enc {requested.ContentEncryption}");
        }

        if ((requested.JwksUri is null) == (requested.Jwk is null))
        {
            errors.Add("encryption takes exactly one of jwks_uri and jwk");
        }
        else if (requested.JwksUri is not null && addresses.CheckUrl(requested.JwksUri) is { } problem)
        {
            errors.Add($"encryption.jwks_uri {problem}");
        }

        JsonElement? publicJwk = null;
        if (requested.Jwk is { } given && errors.Count == count)
        {
            var key = Read(given.GetRawText());
            if (key is null)
            {
                errors.Add("encryption.jwk is not a JWK");
            }
            else if (Problem(key, requested.Algorithm, requested.ContentEncryption) is { } keyProblem)
            {
                errors.Add($"encryption.jwk {keyProblem}");
            }
            else
            {
                publicJwk = JsonDocument.Parse(Jwk.WritePublic(key)).RootElement.Clone();
            }
        }

        return errors.Count > count ? null : requested with { Jwk = publicJwk, JwksKey = null };
    }

    /// <summary>
    /// A checked member with its key in place: one with a <c>jwks_uri</c> gets the first key published
    /// there that it can use, fetched now; one that cannot be fetched or holds no such key is refused
    /// (400), so no stream exists whose SETs could not be encrypted.
    /// </summary>
    public async Task<Outcome<StreamEncryption?>> ResolveAsync(StreamEncryption? encryption, CancellationToken cancellationToken)
    {
        if (encryption?.JwksUri is not { } jwksUri)
        {
            return encryption;
        }

        IReadOnlyList<JsonWebKey> keys;
        try
        {
            keys = Jwk.ReadSet(await http.GetStringAsync(new Uri(jwksUri), FetchTimeout, cancellationToken));
        }
        catch (SharedSignalsClientException ex)
        {
            return Failure.Invalid([$"encryption.jwks_uri could not be read: {ex.Message}"]);
        }
        catch (ArgumentException)
        {
            return Failure.Invalid(["encryption.jwks_uri does not serve a JWK Set"]);
        }

        var usable = keys.FirstOrDefault(k => Problem(k, encryption.Algorithm, encryption.ContentEncryption) is null);
        if (usable is null)
        {
            return Failure.Invalid([$"encryption.jwks_uri publishes no public {StreamEncryption.KeyTypeFor(encryption.Algorithm)} key with use enc for {encryption.Algorithm}"]);
        }

        return encryption with { JwksKey = JsonDocument.Parse(Jwk.WritePublic(usable)).RootElement.Clone() };
    }

    /// <summary>Why a receiver's key cannot take SETs encrypted with this pair; null when it can.</summary>
    private static string? Problem(JsonWebKey key, string algorithm, string contentEncryption)
    {
        if (key.Use != JsonWebKeyUseNames.Enc)
        {
            return "must have use enc (RFC 7517 §4.2)";
        }

        if (key.Kty != StreamEncryption.KeyTypeFor(algorithm))
        {
            return $"is a {key.Kty} key; {algorithm} needs a {StreamEncryption.KeyTypeFor(algorithm)} key";
        }

        if (!string.IsNullOrEmpty(key.Alg) && key.Alg != algorithm)
        {
            return $"is for alg {key.Alg}, not {algorithm}";
        }

        if (key.HasPrivateKey || !string.IsNullOrEmpty(key.D))
        {
            return "must be a public key: never send a private key";
        }

        try
        {
            SetEncryption.Encrypt(Probe, key, algorithm, contentEncryption);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or System.Security.Cryptography.CryptographicException or FormatException)
        {
            return "cannot encrypt: it is not a valid key";
        }
    }

    private static JsonWebKey? Read(string json)
    {
        try
        {
            return new JsonWebKey(json);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
