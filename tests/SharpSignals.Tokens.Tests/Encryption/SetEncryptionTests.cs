using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Encryption;

public sealed class SetEncryptionTests
{
    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();

    public static TheoryData<string, string> Pairs() => EncryptionKeys.Pairs();

    public static TheoryData<string, string> CurvePairs() => new()
    {
        { SetEncryption.EcdhEs, JsonWebKeyECTypes.P384 },
        { SetEncryption.EcdhEs, JsonWebKeyECTypes.P521 },
        { SetEncryption.EcdhEsA256Kw, JsonWebKeyECTypes.P384 },
        { SetEncryption.EcdhEsA256Kw, JsonWebKeyECTypes.P521 },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Encrypt_ThenValidate_DecryptsAndVerifiesTheSignedSet(string alg, string enc)
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var receiverKey = EncryptionKeys.PrivateFor(alg);

        var jwe = SetEncryption.Encrypt(signed, EncryptionKeys.PublicJwk(receiverKey), alg, enc);
        var result = await Validator(requireEncryption: true).ValidateAsync(jwe, CancellationToken.None);

        var segments = jwe.Split('.');
        Assert.Equal(5, segments.Length);
        using var header = JsonDocument.Parse(JweHeaderText(jwe));
        Assert.Equal(alg, header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(enc, header.RootElement.GetProperty("enc").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("cty").GetString());
        Assert.Equal(receiverKey.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.False(header.RootElement.TryGetProperty("zip", out _));
        if (alg == SetEncryption.EcdhEs)
        {
            // RFC 7518 §4.6: direct key agreement, no encrypted key.
            Assert.Empty(segments[1]);
        }

        Assert.Equal(EncryptionKeys.IsAgreement(alg), header.RootElement.TryGetProperty("epk", out _));
        Assert.True(result.IsValid, result.Error?.Description);
        Assert.True(result.WasEncrypted);
        Assert.Equal(signed, result.SignedToken);
        Assert.Equal(signed, SetEncryption.TryDecrypt(jwe, [receiverKey]));
        Assert.True(SetEncryption.Supports(alg, enc));
    }

    [Theory]
    [MemberData(nameof(CurvePairs))]
    public async Task Encrypt_EcdhOnLargerCurves_RoundTrips(string alg, string crv)
    {
        var receiverKey = crv == JsonWebKeyECTypes.P384 ? EncryptionKeys.P384 : EncryptionKeys.P521;
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());

        var jwe = SetEncryption.Encrypt(signed, EncryptionKeys.PublicJwk(receiverKey), alg, SetEncryption.A256Gcm);
        var result = await Validator(requireEncryption: true, [EncryptionKeys.P256, receiverKey]).ValidateAsync(jwe, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Contains($"\"crv\":\"{crv}\"", JweHeaderText(jwe), StringComparison.Ordinal);
    }

    public static TheoryData<string> DecryptionKeyForms() => ["RsaSecurityKey", "RSA private JWK", "ECDsaSecurityKey", "EC private JWK", "RSA and EC together"];

    [Theory]
    [MemberData(nameof(DecryptionKeyForms))]
    public async Task ValidateAsync_DecryptionKeyInEveryForm_Decrypts(string form)
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var (keys, alg) = form switch
        {
            "RsaSecurityKey" => ((SecurityKey[])[EncryptionKeys.Rsa], SetEncryption.RsaOaep256),
            "RSA private JWK" => ([EncryptionKeys.PrivateJwk(EncryptionKeys.Rsa)], SetEncryption.RsaOaep256),
            "ECDsaSecurityKey" => ([EncryptionKeys.P256], SetEncryption.EcdhEs),
            "EC private JWK" => ([EncryptionKeys.PrivateJwk(EncryptionKeys.P256)], SetEncryption.EcdhEsA256Kw),
            _ => ([EncryptionKeys.Rsa, EncryptionKeys.P256], SetEncryption.EcdhEs),
        };

        var jwe = SetEncryption.Encrypt(signed, EncryptionKeys.PublicJwk(EncryptionKeys.PrivateFor(alg)), alg, SetEncryption.A128CbcHs256);
        var result = await Validator(requireEncryption: true, keys).ValidateAsync(jwe, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(signed, result.SignedToken);
    }

    [Fact]
    public async Task Validate_PlainSetWhenEncryptionIsRequired_IsRefused()
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());

        var result = await Validator(requireEncryption: true).ValidateAsync(signed, CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidRequest, result.Error!.Code);
    }

    [Fact]
    public async Task Validate_EncryptedSetWithoutDecryptionKeys_IsInvalidKey()
    {
        var jwe = SetEncryption.Encrypt(new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet()), EncryptionKeys.Rsa);

        var result = await Validator(requireEncryption: false, []).ValidateAsync(jwe, CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidKey, result.Error!.Code);
    }

    [Fact]
    public void Encrypt_TwoParameterOverload_StillUsesRsaOaep()
    {
        var jwe = SetEncryption.Encrypt(new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet()), EncryptionKeys.Rsa);

        using var header = JsonDocument.Parse(JweHeaderText(jwe));
        Assert.Equal(SetEncryption.RsaOaep, header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(SetEncryption.A128CbcHs256, header.RootElement.GetProperty("enc").GetString());
    }

    public static TheoryData<string, string> EncryptRefusals() => new()
    {
        { "alg RSA1_5", "Key management RSA1_5 is not supported" },
        { "enc A192GCM", "Content encryption A192GCM is not supported" },
        { "EC key for RSA-OAEP", "needs an RSA recipient key" },
        { "RSA key for ECDH-ES", "needs an EC recipient key" },
        { "JWK with use sig", "use 'sig'" },
        { "JWK for another alg", "is for alg RSA-OAEP, not RSA-OAEP-256" },
        { "RSA key of 1024 bits", "at least 2048 bits" },
    };

    [Theory]
    [MemberData(nameof(EncryptRefusals))]
    public void Encrypt_UnsupportedAlgorithmsOrKeys_Throw(string what, string reason)
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var rsa = EncryptionKeys.PublicJwk(EncryptionKeys.Rsa);
        var ec = EncryptionKeys.PublicJwk(EncryptionKeys.P256);

        var thrown = Assert.Throws<ArgumentException>(() => what switch
        {
            "alg RSA1_5" => SetEncryption.Encrypt(signed, rsa, "RSA1_5", SetEncryption.A128CbcHs256),
            "enc A192GCM" => SetEncryption.Encrypt(signed, rsa, SetEncryption.RsaOaep256, "A192GCM"),
            "EC key for RSA-OAEP" => SetEncryption.Encrypt(signed, ec, SetEncryption.RsaOaep, SetEncryption.A256Gcm),
            "RSA key for ECDH-ES" => SetEncryption.Encrypt(signed, rsa, SetEncryption.EcdhEs, SetEncryption.A256Gcm),
            "JWK with use sig" => SetEncryption.Encrypt(signed, With(rsa, j => j.Use = JsonWebKeyUseNames.Sig), SetEncryption.RsaOaep, SetEncryption.A256Gcm),
            "JWK for another alg" => SetEncryption.Encrypt(signed, With(rsa, j => j.Alg = SetEncryption.RsaOaep), SetEncryption.RsaOaep256, SetEncryption.A256Gcm),
            _ => SetEncryption.Encrypt(signed, new RsaSecurityKey(RSA.Create(1024)), SetEncryption.RsaOaep256, SetEncryption.A256Gcm),
        });

        Assert.Contains(reason, thrown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SetEncryption.Encrypt(signed, EncryptionKeys.Rsa, "A256GCM-HS0"));
        Assert.False(SetEncryption.Supports("RSA1_5", SetEncryption.A256Gcm));
        Assert.False(SetEncryption.Supports(SetEncryption.RsaOaep, "A192GCM"));
    }

    [Fact]
    public void TryDecrypt_WrongKeyOrNotAJwe_ReturnsNull()
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var jwe = SetEncryption.Encrypt(signed, EncryptionKeys.Rsa);

        Assert.Null(SetEncryption.TryDecrypt(jwe, [new RsaSecurityKey(RSA.Create(2048))]));
        Assert.Null(SetEncryption.TryDecrypt(jwe, [EncryptionKeys.P256]));
        Assert.Null(SetEncryption.TryDecrypt(signed, [EncryptionKeys.Rsa]));
        Assert.Null(SetEncryption.TryDecrypt("garbage", [EncryptionKeys.Rsa]));
    }

    internal static SetValidator Validator(bool requireEncryption, IReadOnlyList<SecurityKey>? decryptionKeys = null) => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([IssuerKey.SecurityKey]),
        ValidIssuers = [Samples.Issuer],
        DecryptionKeys = decryptionKeys ?? [EncryptionKeys.Rsa, EncryptionKeys.P256],
        RequireEncryption = requireEncryption,
        TimeProvider = new FakeTimeProvider(Samples.Now),
    });

    internal static string JweHeaderText(string jwe) => System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(jwe.Split('.')[0]));

    private static JsonWebKey With(JsonWebKey key, Action<JsonWebKey> change)
    {
        var copy = Jwk.ToPublic(key);
        change(copy);
        return copy;
    }
}
