using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>
/// A JWE with <c>zip</c> (RFC 7516 §4.1.3) is refused with <c>invalid_request</c> before it is
/// decrypted, although Microsoft.IdentityModel would inflate it: RFC 8725 §3.6 advises against
/// compressing before encrypting, and what compressed content expands to is not bounded by the token's size.
/// </summary>
public sealed class SetValidatorCompressionTests
{
    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();
    private static readonly RsaSecurityKey ReceiverKey = new(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "rx-enc" };

    [Fact]
    public async Task ValidateAsync_JweWithZip_IsInvalidRequest_AndTheSameSetUncompressedIsAccepted()
    {
        var signed = new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());
        var credentials = new EncryptingCredentials(ReceiverKey, SetEncryption.RsaOaep, SetEncryption.A128CbcHs256);
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = new StaticKeySource([IssuerKey.SecurityKey]),
            ValidIssuers = [Samples.Issuer],
            DecryptionKeys = [ReceiverKey],
            TimeProvider = new FakeTimeProvider(Samples.Now),
        });

        var zipped = await validator.ValidateAsync(new JsonWebTokenHandler().EncryptToken(signed, credentials, "DEF"), CancellationToken.None);
        var plain = await validator.ValidateAsync(new JsonWebTokenHandler().EncryptToken(signed, credentials), CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidRequest, zipped.Error?.Code);
        Assert.Contains("zip", zipped.Error!.Description, StringComparison.Ordinal);
        Assert.True(plain.IsValid, plain.Error?.Description);
    }
}
