using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>One row per defect; each asserts the exact RFC 8935 error code.</summary>
public sealed class SetValidatorRejectionTests
{
    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();
    private static readonly SetSigningKey OtherKey = SetSigningKey.Generate();
    private static readonly RsaSecurityKey ReceiverDecryptionKey = new(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "rx-enc" };

    public static TheoryData<string, string, string> Defects() => new()
    {
        { "alg none", SetErrorCodes.InvalidRequest, "alg none" },
        { "HMAC keyed with the public key", SetErrorCodes.InvalidKey, "HS256 is not accepted" },
        { "algorithm outside the allow-list", SetErrorCodes.InvalidKey, "HS512 is not accepted" },
        { "signed by another key under the same kid", SetErrorCodes.AuthenticationFailed, "does not verify" },
        { "unknown kid", SetErrorCodes.InvalidKey, "no ES256 key with kid" },
        { "tampered payload", SetErrorCodes.AuthenticationFailed, "does not verify" },
        { "tampered header", SetErrorCodes.AuthenticationFailed, "does not verify" },
        { "signature stripped", SetErrorCodes.AuthenticationFailed, "no signature" },
        { "missing typ", SetErrorCodes.InvalidRequest, "has no typ" },
        { "typ JWT", SetErrorCodes.InvalidRequest, "typ is 'JWT'" },
        { "sub present", SetErrorCodes.InvalidRequest, "sub must not appear" },
        { "exp present", SetErrorCodes.InvalidRequest, "exp must not appear" },
        { "wrong iss", SetErrorCodes.InvalidIssuer, "evil.example.com" },
        { "wrong aud", SetErrorCodes.InvalidAudience, "someone-else" },
        { "missing aud", SetErrorCodes.InvalidAudience, "has no aud" },
        { "iat in the future", SetErrorCodes.InvalidRequest, "iat is in the future" },
        { "missing jti", SetErrorCodes.InvalidRequest, "jti is required" },
        { "missing iat", SetErrorCodes.InvalidRequest, "iat is required" },
        { "missing events", SetErrorCodes.InvalidRequest, "events is required" },
        { "empty events", SetErrorCodes.InvalidRequest, "must hold one event" },
        { "event payload not an object", SetErrorCodes.InvalidRequest, "must be a JSON object" },
        { "two unrelated events", SetErrorCodes.InvalidRequest, "exactly one event" },
        { "invalid event payload", SetErrorCodes.InvalidRequest, "change_type must be one of" },
        { "malformed sub_id", SetErrorCodes.InvalidRequest, "sub_id.email is required" },
        { "missing sub_id", SetErrorCodes.InvalidRequest, "sub_id is required" },
        { "oversized token", SetErrorCodes.InvalidRequest, "at most 4096" },
        { "not a JWT", SetErrorCodes.InvalidRequest, "not a compact JWS" },
        { "claims set not JSON", SetErrorCodes.InvalidRequest, "not a compact JWS" },
        { "claims set with broken JSON inside events", SetErrorCodes.InvalidRequest, "not a compact JWS" },
        { "claims set with broken JSON inside sub_id", SetErrorCodes.InvalidRequest, "not a compact JWS" },
        { "JWE whose content is not a signed SET", SetErrorCodes.InvalidRequest, "does not contain a signed SET" },
        { "JWE for another receiver", SetErrorCodes.InvalidKey, "could not be decrypted" },
        { "event type not delivered on the stream", SetErrorCodes.AccessDenied, "not delivered on this stream" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task ValidateAsync_Defect_FailsWithExactCode(string defect, string expectedCode, string expectedReason)
    {
        var validator = new SetValidator(Options(defect));

        var result = await validator.ValidateAsync(Token(defect), CancellationToken.None);

        Assert.False(result.IsValid, $"'{defect}' was accepted");
        Assert.Null(result.Set);
        Assert.Equal(expectedCode, result.Error!.Code);
        Assert.Contains(expectedReason, result.Error.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_WellFormedSet_IsAccepted()
    {
        var result = await new SetValidator(Options("")).ValidateAsync(TokenFactory.Sign(ValidPayload().ToJsonString(), IssuerKey), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(IssuerKey.KeyId, result.KeyId);
    }

    private static SetValidationOptions Options(string defect) => new()
    {
        Keys = new StaticKeySource([IssuerKey.SecurityKey]),
        ValidIssuers = [Samples.Issuer],
        ValidAudiences = [Samples.Audience],
        TimeProvider = new FakeTimeProvider(Samples.Now),
        MaxTokenLength = 4096,
        DecryptionKeys = [ReceiverDecryptionKey],
        AcceptedEventTypes = defect == "event type not delivered on the stream" ? [EventTypes.Caep.CredentialChange] : null,
    };

    private static JsonObject ValidPayload() => JsonNode.Parse(SetPayload.ToJson(Samples.SessionRevokedSet()))!.AsObject();

    private static string With(Action<JsonObject> change)
    {
        var payload = ValidPayload();
        change(payload);
        return TokenFactory.Sign(payload.ToJsonString(), IssuerKey);
    }

    private static string Token(string defect)
    {
        var valid = ValidPayload().ToJsonString();
        var signed = TokenFactory.Sign(valid, IssuerKey);
        return defect switch
        {
            "alg none" => TokenFactory.Unsigned(valid),
            "HMAC keyed with the public key" => TokenFactory.HmacWithPublicKey(valid, IssuerKey),
            "algorithm outside the allow-list" => TokenFactory.Sign(valid, new SymmetricSecurityKey(new byte[64]) { KeyId = IssuerKey.KeyId }, SecurityAlgorithms.HmacSha512),
            "signed by another key under the same kid" => TokenFactory.Sign(valid, new ECDsaSecurityKey(((ECDsaSecurityKey)OtherKey.SecurityKey).ECDsa) { KeyId = IssuerKey.KeyId }, "ES256"),
            "unknown kid" => TokenFactory.Sign(valid, OtherKey),
            "tampered payload" => TokenFactory.ReplacePayload(signed, valid.Replace("\"admin\"", "\"user\"", StringComparison.Ordinal)),
            "tampered header" => TokenFactory.ReplaceHeader(signed, TokenFactory.DecodeHeader(signed).Replace("{", "{\"x\":1,", StringComparison.Ordinal)),
            "signature stripped" => signed[..(signed.LastIndexOf('.') + 1)],
            "missing typ" => TokenFactory.ReplaceHeader(signed, $$"""{"alg":"ES256","kid":"{{IssuerKey.KeyId}}"}"""),
            "typ JWT" => TokenFactory.Sign(valid, IssuerKey, new() { ["typ"] = "JWT" }),
            "sub present" => With(p => p["sub"] = "alice"),
            "exp present" => With(p => p["exp"] = Samples.Now.ToUnixTimeSeconds() + 3600),
            "wrong iss" => With(p => p["iss"] = "https://evil.example.com"),
            "wrong aud" => With(p => p["aud"] = "https://someone-else.example.org"),
            "missing aud" => With(p => p.Remove("aud")),
            "iat in the future" => With(p => p["iat"] = Samples.Now.AddHours(1).ToUnixTimeSeconds()),
            "missing jti" => With(p => p.Remove("jti")),
            "missing iat" => With(p => p.Remove("iat")),
            "missing events" => With(p => p.Remove("events")),
            "empty events" => With(p => p["events"] = new JsonObject()),
            "event payload not an object" => With(p => p["events"] = new JsonObject { [EventTypes.Caep.SessionRevoked] = "revoked" }),
            "two unrelated events" => With(p => p["events"]![EventTypes.Caep.CredentialChange] = new JsonObject { ["credential_type"] = "password", ["change_type"] = "update" }),
            "invalid event payload" => With(p => p["events"] = new JsonObject { [EventTypes.Caep.CredentialChange] = new JsonObject { ["credential_type"] = "password", ["change_type"] = "rotate" } }),
            "malformed sub_id" => With(p => p["sub_id"] = new JsonObject { ["format"] = "email", ["mail"] = "alice@example.com" }),
            "missing sub_id" => With(p => p.Remove("sub_id")),
            "oversized token" => With(p => p["padding"] = new string('x', 5000)),
            "not a JWT" => "this is not a token",
            "claims set not JSON" => TokenFactory.ReplacePayload(signed, "{not json"),
            "claims set with broken JSON inside events" => TokenFactory.ReplacePayload(signed, valid.Replace("\"admin\"", "\"admin\",,", StringComparison.Ordinal)),
            "claims set with broken JSON inside sub_id" => TokenFactory.ReplacePayload(signed, valid.Replace("\"alice@example.com\"", "\"alice@example.com\" true", StringComparison.Ordinal)),
            "JWE whose content is not a signed SET" => SetEncryption.Encrypt(TokenFactory.Unsigned(valid), ReceiverDecryptionKey),
            "JWE for another receiver" => SetEncryption.Encrypt(signed, new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048))),
            "event type not delivered on the stream" => signed,
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, "no such row"),
        };
    }
}
