using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

public sealed partial class SetValidator
{
    private ((string Token, JwsParts Jws)? Inner, SetValidationResult? Error) Decrypt(string token)
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

        const string NotSigned = "The JWE does not contain a signed SET.";
        var verdict = StrictJose.Read(inner, out var jws, out var reason);
        if (Refusal(verdict, reason, NotSigned) is { } refused)
        {
            return (null, refused);
        }

        // RFC 7519 §5.2: the content of a nested JWT is the signed token; an encrypted SET must still be signed.
        if (jws is null || jws.EncodedSignature.IsEmpty)
        {
            jws?.Dispose();
            return (null, SetValidationResult.Fail(SetErrorCodes.InvalidRequest, NotSigned));
        }

        return ((inner, jws), null);
    }
}
