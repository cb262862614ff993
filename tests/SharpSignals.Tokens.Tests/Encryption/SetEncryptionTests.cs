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
    private static readonly RsaSecurityKey ReceiverKey = new(RSA.Create(2048)) { KeyId = "rx-enc-1" };

    public static TheoryData<string> ContentEncryptions() => new(SetEncryption.ContentEncryptionAlgorithms);

    [Theory]
    [MemberData(nameof(ContentEncryptions))]
    public async Task Encrypt_ThenValidate_DecryptsAndVerifiesTheSignedSet(string enc)
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());

        var jwe = SetEncryption.Encrypt(signed, PublicOnly(ReceiverKey), enc);
        var result = await Validator(requireEncryption: true).ValidateAsync(jwe, CancellationToken.None);

        Assert.Equal(5, jwe.Split('.').Length);
        using var header = JsonDocument.Parse(TokenFactory.DecodeHeader(jwe));
        Assert.Equal("RSA-OAEP", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(enc, header.RootElement.GetProperty("enc").GetString());
        Assert.True(result.IsValid, result.Error?.Description);
        Assert.True(result.WasEncrypted);
        Assert.Equal(signed, result.SignedToken);
        Assert.Equal(signed, SetEncryption.TryDecrypt(jwe, [ReceiverKey]));
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
        var jwe = SetEncryption.Encrypt(new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet()), ReceiverKey);

        var result = await new SetValidator(new SetValidationOptions
        {
            Keys = new StaticKeySource([IssuerKey.SecurityKey]),
            ValidIssuers = [Samples.Issuer],
            TimeProvider = new FakeTimeProvider(Samples.Now),
        }).ValidateAsync(jwe, CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidKey, result.Error!.Code);
    }

    [Fact]
    public void Encrypt_UnsupportedAlgorithmsOrKeys_Throw()
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());

        Assert.Throws<ArgumentException>(() => SetEncryption.Encrypt(signed, ReceiverKey, "A256GCM"));
        Assert.Throws<ArgumentException>(() => SetEncryption.Encrypt(signed, IssuerKey.SecurityKey));
    }

    [Fact]
    public void TryDecrypt_WrongKeyOrNotAJwe_ReturnsNull()
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var jwe = SetEncryption.Encrypt(signed, ReceiverKey);

        Assert.Null(SetEncryption.TryDecrypt(jwe, [new RsaSecurityKey(RSA.Create(2048))]));
        Assert.Null(SetEncryption.TryDecrypt(signed, [ReceiverKey]));
        Assert.Null(SetEncryption.TryDecrypt("garbage", [ReceiverKey]));
    }

    private static SetValidator Validator(bool requireEncryption) => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([IssuerKey.SecurityKey]),
        ValidIssuers = [Samples.Issuer],
        DecryptionKeys = [ReceiverKey],
        RequireEncryption = requireEncryption,
        TimeProvider = new FakeTimeProvider(Samples.Now),
    });

    private static RsaSecurityKey PublicOnly(RsaSecurityKey key) => new(key.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = key.KeyId };
}
