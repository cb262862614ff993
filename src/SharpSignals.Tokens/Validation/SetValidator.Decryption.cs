using Microsoft.IdentityModel.JsonWebTokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

public sealed partial class SetValidator
{
    private ((string Token, JsonWebToken Jwt)? Inner, SetValidationResult? Error) Decrypt(JsonWebToken jwe)
    {
        if (_options.DecryptionKeys.Count == 0)
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidKey, "This receiver has no decryption key; send SETs signed, not encrypted."));
        }

        // RFC 7516 §4.1.3: compressed content is refused, as RFC 8725 §3.6 advises: what it expands to is
        // not bounded by the token's size, and compressing before encrypting can leak the content through its length.
        if (!string.IsNullOrEmpty(jwe.Zip))
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidRequest, $"JWE zip {jwe.Zip} is not accepted: send SETs uncompressed."));
        }

        if (!SetEncryption.IsSupported(jwe))
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidKey,
                $"JWE alg {jwe.Alg} with enc {jwe.Enc} is not accepted; use {string.Join(", ", SetEncryption.KeyManagementAlgorithms)} with one of {string.Join(", ", SetEncryption.ContentEncryptionAlgorithms)}."));
        }

        var inner = SetEncryption.Decrypt(jwe, _options.DecryptionKeys);
        if (inner is null)
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidKey, "The SET could not be decrypted with this receiver's keys."));
        }

        if (Strict(inner, "The JWE does not contain a signed SET.") is { } refused)
        {
            return (null, refused);
        }

        // RFC 7519 §5.2: the content of a nested JWT is the signed token; an encrypted SET must still be signed.
        if (!TryParse(inner, out var jwt) || jwt.IsEncrypted || string.IsNullOrEmpty(jwt.EncodedSignature))
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "The JWE does not contain a signed SET."));
        }

        return ((inner, jwt), null);
    }
}
