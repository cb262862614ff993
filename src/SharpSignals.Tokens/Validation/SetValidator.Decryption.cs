using Microsoft.IdentityModel.JsonWebTokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

public sealed partial class SetValidator
{
    private ((string Token, JsonWebToken Jwt)? Inner, SetValidationResult? Error) Decrypt(string token)
    {
        if (_options.DecryptionKeys.Count == 0)
        {
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidKey, "This receiver has no decryption key; send SETs signed, not encrypted."));
        }

        // Unsupported algorithms (RSA1_5, PBES2, dir, unknown) and keys are invalid_key; a malformed JWE, zip or a bad header invalid_request.
        if (!SetEncryption.Decrypt(token, _options.DecryptionKeys, out var inner, out var refusal))
        {
            return (null, SetValidationResult.Fail(refusal.Code, refusal.Description));
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
