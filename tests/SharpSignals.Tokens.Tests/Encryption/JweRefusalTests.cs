using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Jose;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;

namespace SharpSignals.Tokens.Tests.Encryption;

/// <summary>
/// Every JWE the library must refuse is refused before a key is used, with the RFC 8935 code the
/// validator answers, and nothing throws. The hostile tokens are made with jose-jwt (which writes
/// algorithms this library refuses) or by rewriting the protected header of a real JWE.
/// </summary>
public sealed class JweRefusalTests
{
    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();
    private static readonly string Signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
    private static readonly Dictionary<string, object> Nested = new() { ["cty"] = "JWT" };

    public static TheoryData<string, string, string> Refusals() => new()
    {
        { "RSA1_5", SetErrorCodes.InvalidKey, "JWE alg RSA1_5 with enc A128CBC-HS256 is not accepted" },
        { "PBES2-HS256+A128KW", SetErrorCodes.InvalidKey, "JWE alg PBES2-HS256+A128KW with enc A128GCM is not accepted" },
        { "PBES2 with p2c of two billion", SetErrorCodes.InvalidKey, "JWE alg PBES2-HS512+A256KW with enc A256GCM is not accepted" },
        { "dir", SetErrorCodes.InvalidKey, "JWE alg dir with enc A256GCM is not accepted" },
        { "RSA-OAEP-384, unknown here", SetErrorCodes.InvalidKey, "JWE alg RSA-OAEP-384 with enc A256GCM is not accepted" },
        { "ECDH-ES+A128KW, unknown here", SetErrorCodes.InvalidKey, "JWE alg ECDH-ES+A128KW with enc A256GCM is not accepted" },
        { "enc A192GCM, unknown here", SetErrorCodes.InvalidKey, "JWE alg RSA-OAEP-256 with enc A192GCM is not accepted" },
        { "alg none", SetErrorCodes.InvalidKey, "JWE alg none with enc A256GCM is not accepted" },
        { "zip DEF", SetErrorCodes.InvalidRequest, "zip: compressed JWEs are not accepted" },
        { "crit in the JWE header", SetErrorCodes.InvalidRequest, "critical (crit)" },
        { "four segments", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "six segments", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "a ciphertext that is not base64url", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "an empty tag", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "a space inside the ciphertext", SetErrorCodes.InvalidRequest, "not base64url" },
        { "a header that is a JSON array", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "alg as a number", SetErrorCodes.InvalidRequest, "not a compact JWS or JWE" },
        { "no enc", SetErrorCodes.InvalidRequest, "needs alg and enc as strings" },
        { "ECDH-ES with no epk", SetErrorCodes.InvalidRequest, "needs its ephemeral public key (epk)" },
        { "ECDH-ES with an encrypted key", SetErrorCodes.InvalidRequest, "must have an empty encrypted key" },
        { "epk with a private member", SetErrorCodes.InvalidRequest, "must be an EC public key" },
        { "apu that is not a string", SetErrorCodes.InvalidRequest, "apu must be a base64url string" },
        { "epk not on P-256 (invalid curve)", SetErrorCodes.InvalidKey, "is not a point on P-256" },
        { "epk at the origin", SetErrorCodes.InvalidKey, "is not a point on P-256" },
        { "epk with short coordinates", SetErrorCodes.InvalidKey, "not 32 bytes long" },
        { "epk on secp256k1", SetErrorCodes.InvalidKey, "on curve secp256k1" },
        { "epk on P-384 for a P-256 receiver", SetErrorCodes.InvalidKey, "no EC private key on the curve of the JWE's epk" },
        { "RSA-OAEP-256 for an EC-only receiver", SetErrorCodes.InvalidKey, "no RSA private key" },
        { "A256GCM with a changed tag", SetErrorCodes.InvalidKey, "could not be decrypted" },
        { "ECDH-ES+A256KW for another EC key", SetErrorCodes.InvalidKey, "could not be decrypted" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ValidateAsync_HostileJwe_RefusedWithItsCode(string hostile, string code, string reason)
    {
        var token = Hostile(hostile);
        IReadOnlyList<SecurityKey> keys = hostile == "RSA-OAEP-256 for an EC-only receiver" ? [EncryptionKeys.P256] : [EncryptionKeys.Rsa, EncryptionKeys.P256];

        var stopwatch = Stopwatch.StartNew();
        var result = await SetEncryptionTests.Validator(requireEncryption: true, keys).ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid, $"'{hostile}' was accepted");
        Assert.Equal(code, result.Error!.Code);
        Assert.Contains(reason, result.Error.Description, StringComparison.Ordinal);
        Assert.Null(SetEncryption.TryDecrypt(token, keys));
        // Refused without paying an attacker-chosen cost (PBES2's p2c).
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"'{hostile}' took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Decrypt_CritWithoutStrictJose_StillRefused()
    {
        // The validator runs StrictJose first; the JWE header check refuses crit on its own as well.
        var token = WithHeader(Valid(SetEncryption.RsaOaep256), h => h["crit"] = new JsonArray("exp"));

        Assert.False(SetEncryption.Decrypt(token, [EncryptionKeys.Rsa], out var content, out var refusal));
        Assert.Null(content);
        Assert.Equal(SetErrorCodes.InvalidRequest, refusal.Code);
        Assert.Contains("crit", refusal.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedForTheJweCheck() => new()
    {
        // The validator's JWS/JWE parser refuses these first; TryDecrypt and the server's callers reach the JWE check itself.
        { "a ciphertext that is not base64url", "not base64url" },
        { "a space inside the ciphertext", "not base64url" },
        { "padding on the IV", "not base64url" },
        { "an empty tag", "lacks its protected header, IV, ciphertext or tag" },
        { "alg as a number", "needs alg and enc as strings" },
        { "a header that is a JSON array", "not a JSON object" },
        { "four segments", "not five base64url segments" },
    };

    [Theory]
    [MemberData(nameof(MalformedForTheJweCheck))]
    public void Decrypt_Malformed_RefusedWithInvalidRequest(string hostile, string reason)
    {
        Assert.False(SetEncryption.Decrypt(Hostile(hostile), [EncryptionKeys.Rsa], out var content, out var refusal));
        Assert.Null(content);
        Assert.Equal(SetErrorCodes.InvalidRequest, refusal.Code);
        Assert.Contains(reason, refusal.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string> Algorithms() => [.. SetEncryption.KeyManagementAlgorithms];

    /// <summary>Seeded mutations of a valid JWE (characters changed, cut, dots added or removed): nothing throws, nothing passes.</summary>
    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task ValidateAsync_MutatedJwe_NeverThrowsNeverAccepts(string alg)
    {
        var random = new Random(8935);
        var validator = SetEncryptionTests.Validator(requireEncryption: true);
        const string Alphabet = "AZaz09-_.=+/{}\"\\ ";
        foreach (var enc in SetEncryption.ContentEncryptionAlgorithms)
        {
            var jwe = SetEncryption.Encrypt(Signed, EncryptionKeys.PublicJwk(EncryptionKeys.PrivateFor(alg)), alg, enc);
            for (var i = 0; i < 100; i++)
            {
                var chars = jwe.ToCharArray().ToList();
                for (var edits = random.Next(1, 4); edits > 0; edits--)
                {
                    var at = random.Next(chars.Count);
                    switch (random.Next(3))
                    {
                        case 0:
                            chars[at] = Alphabet[random.Next(Alphabet.Length)];
                            break;
                        case 1:
                            chars.RemoveAt(at);
                            break;
                        default:
                            chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                            break;
                    }
                }

                var mutated = new string([.. chars]);
                var result = await validator.ValidateAsync(mutated, CancellationToken.None);
                var content = SetEncryption.TryDecrypt(mutated, [EncryptionKeys.Rsa, EncryptionKeys.P256]);
                if (mutated != jwe)
                {
                    // A change to the header, IV, ciphertext or tag fails authentication; only a change
                    // base64url decoding ignores (the unused bits of a last character) leaves it intact.
                    Assert.True(!result.IsValid || result.SignedToken == Signed, $"mutation {i} of {alg}/{enc} accepted: {mutated}");
                    Assert.True(content is null || content == Signed);
                }
            }
        }
    }

    /// <summary>
    /// The header intact, so that the JOSE libraries get the token: encrypted key, IV, ciphertext and tag
    /// replaced by random base64url of any length. Every one is refused, none throws.
    /// </summary>
    [Theory]
    [MemberData(nameof(Pairs))]
    public void TryDecrypt_RandomBodyUnderAValidHeader_RefusedWithoutThrowing(string alg, string enc)
    {
        var random = new Random(7516);
        var jwe = SetEncryption.Encrypt(Signed, EncryptionKeys.PublicJwk(EncryptionKeys.PrivateFor(alg)), alg, enc);
        for (var i = 0; i < 60; i++)
        {
            var segment = random.Next(1, 5);
            var bytes = new byte[random.Next(i % 10 == 0 ? 0 : 1, 80)];
            random.NextBytes(bytes);
            var mutated = WithSegment(jwe, segment, _ => Base64UrlEncoder.Encode(bytes));

            Assert.False(SetEncryption.Decrypt(mutated, [EncryptionKeys.Rsa, EncryptionKeys.P256], out var content, out var refusal));
            Assert.Null(content);
            Assert.NotNull(refusal.Code);
        }
    }

    public static TheoryData<string, string> Pairs() => EncryptionKeys.Pairs();

    private static string Hostile(string hostile) => hostile switch
    {
        "RSA1_5" => JWT.Encode(Signed, RsaPublic(), JweAlgorithm.RSA1_5, JweEncryption.A128CBC_HS256, extraHeaders: Nested),
        "PBES2-HS256+A128KW" => JWT.Encode(Signed, "correct horse battery staple", JweAlgorithm.PBES2_HS256_A128KW, JweEncryption.A128GCM, extraHeaders: Nested),
        "PBES2 with p2c of two billion" => Forged(new JsonObject
        {
            ["alg"] = "PBES2-HS512+A256KW", ["enc"] = "A256GCM", ["p2c"] = 2_000_000_000, ["p2s"] = "c2FsdHNhbHRzYWx0c2FsdA", ["cty"] = "JWT",
        }),
        "dir" => JWT.Encode(Signed, RandomNumberGeneratorBytes(32), JweAlgorithm.DIR, JweEncryption.A256GCM, extraHeaders: Nested),
        "RSA-OAEP-384, unknown here" => JWT.Encode(Signed, RsaPublic(), JweAlgorithm.RSA_OAEP_384, JweEncryption.A256GCM, extraHeaders: Nested),
        "ECDH-ES+A128KW, unknown here" => JWT.Encode(Signed, EcPublic(), JweAlgorithm.ECDH_ES_A128KW, JweEncryption.A256GCM, extraHeaders: Nested),
        "enc A192GCM, unknown here" => JWT.Encode(Signed, RsaPublic(), JweAlgorithm.RSA_OAEP_256, JweEncryption.A192GCM, extraHeaders: Nested),
        "alg none" => WithHeader(Valid(SetEncryption.RsaOaep256), h => h["alg"] = "none"),
        "zip DEF" => JWT.Encode(Signed, RsaPublic(), JweAlgorithm.RSA_OAEP_256, JweEncryption.A256GCM, JweCompression.DEF, Nested),
        "crit in the JWE header" => WithHeader(Valid(SetEncryption.RsaOaep256), h =>
        {
            h["crit"] = new JsonArray("urn:example:ext");
            h["urn:example:ext"] = true;
        }),
        "four segments" => string.Join('.', Valid(SetEncryption.RsaOaep256).Split('.')[..4]),
        "six segments" => Valid(SetEncryption.RsaOaep256) + ".AAAA",
        "a ciphertext that is not base64url" => WithSegment(Valid(SetEncryption.RsaOaep256), 3, s => s[..^2] + "+/"),
        "a space inside the ciphertext" => WithSegment(Valid(SetEncryption.RsaOaep256), 3, s => s[..8] + " " + s[8..]),
        "padding on the IV" => WithSegment(Valid(SetEncryption.RsaOaep256), 2, s => s + "=="),
        "an empty tag" => WithSegment(Valid(SetEncryption.RsaOaep256), 4, _ => ""),
        "a header that is a JSON array" => WithSegment(Valid(SetEncryption.RsaOaep256), 0, _ => B64("[\"alg\",\"RSA-OAEP-256\"]")),
        "alg as a number" => WithHeader(Valid(SetEncryption.RsaOaep256), h => h["alg"] = 256),
        "no enc" => WithHeader(Valid(SetEncryption.RsaOaep256), h => h.Remove("enc")),
        "ECDH-ES with no epk" => WithHeader(Valid(SetEncryption.EcdhEs), h => h.Remove("epk")),
        "ECDH-ES with an encrypted key" => WithSegment(Valid(SetEncryption.EcdhEs), 1, _ => B64("forty bytes of a key that should be none")),
        "epk with a private member" => WithHeader(Valid(SetEncryption.EcdhEs), h => h["epk"]!["d"] = Base64UrlEncoder.Encode(new byte[32])),
        "apu that is not a string" => WithHeader(Valid(SetEncryption.EcdhEs), h => h["apu"] = 7),
        "epk not on P-256 (invalid curve)" => WithHeader(Valid(SetEncryption.EcdhEs), h =>
        {
            var y = Base64UrlEncoder.DecodeBytes((string)h["epk"]!["y"]!);
            y[^1] ^= 1;
            h["epk"]!["y"] = Base64UrlEncoder.Encode(y);
        }),
        "epk at the origin" => WithHeader(Valid(SetEncryption.EcdhEs), h =>
        {
            h["epk"]!["x"] = Base64UrlEncoder.Encode(new byte[32]);
            h["epk"]!["y"] = Base64UrlEncoder.Encode(new byte[32]);
        }),
        "epk with short coordinates" => WithHeader(Valid(SetEncryption.EcdhEs), h =>
        {
            h["epk"]!["x"] = Base64UrlEncoder.Encode(Base64UrlEncoder.DecodeBytes((string)h["epk"]!["x"]!)[1..]);
        }),
        "epk on secp256k1" => WithHeader(Valid(SetEncryption.EcdhEs), h => h["epk"]!["crv"] = "secp256k1"),
        "epk on P-384 for a P-256 receiver" => SetEncryption.Encrypt(Signed, EncryptionKeys.PublicJwk(EncryptionKeys.P384), SetEncryption.EcdhEs, SetEncryption.A256Gcm),
        "RSA-OAEP-256 for an EC-only receiver" => Valid(SetEncryption.RsaOaep256),
        "A256GCM with a changed tag" => WithSegment(Valid(SetEncryption.RsaOaep256), 4, s => (s[0] == 'A' ? "B" : "A") + s[1..]),
        "ECDH-ES+A256KW for another EC key" => SetEncryption.Encrypt(Signed, EncryptionKeys.PublicJwk(new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))), SetEncryption.EcdhEsA256Kw, SetEncryption.A256Gcm),
        _ => throw new ArgumentOutOfRangeException(nameof(hostile), hostile, "no such case"),
    };

    private static string Valid(string alg) =>
        SetEncryption.Encrypt(Signed, EncryptionKeys.PublicJwk(EncryptionKeys.PrivateFor(alg)), alg, SetEncryption.A256Gcm);

    private static System.Security.Cryptography.RSA RsaPublic() => System.Security.Cryptography.RSA.Create(EncryptionKeys.Rsa.Rsa.ExportParameters(false));

    private static System.Security.Cryptography.ECDiffieHellman EcPublic() =>
        System.Security.Cryptography.ECDiffieHellman.Create(EncryptionKeys.P256.ECDsa.ExportParameters(false));

    private static byte[] RandomNumberGeneratorBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);

    /// <summary>A token with this header and the segments of a real JWE; refused before its content matters.</summary>
    private static string Forged(JsonObject header) => WithSegment(Valid(SetEncryption.RsaOaep256), 0, _ => B64(header.ToJsonString()));

    private static string WithHeader(string jwe, Action<JsonObject> change)
    {
        var header = JsonNode.Parse(SetEncryptionTests.JweHeaderText(jwe))!.AsObject();
        change(header);
        return WithSegment(jwe, 0, _ => B64(header.ToJsonString()));
    }

    private static string WithSegment(string jwe, int index, Func<string, string> change)
    {
        var segments = jwe.Split('.');
        segments[index] = change(segments[index]);
        return string.Join('.', segments);
    }

    private static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
