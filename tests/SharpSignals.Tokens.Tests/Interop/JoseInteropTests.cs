using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Interop;

/// <summary>
/// Interoperability with jose, an independent JOSE implementation run by node: each side verifies and
/// decrypts what the other signs and encrypts, for every algorithm this library supports.
/// </summary>
public sealed class JoseInteropTests
{
    public static TheoryData<string> SigningAlgorithmsSupported => new(SigningAlgorithms.Signing);

    public static TheoryData<string, string> EncryptionPairs => EncryptionKeys.Pairs();

    public static TheoryData<string, string> EcdhOnLargerCurves => new()
    {
        { SetEncryption.EcdhEs, JsonWebKeyECTypes.P384 },
        { SetEncryption.EcdhEsA256Kw, JsonWebKeyECTypes.P521 },
    };

    public static TheoryData<string, string, string> WrongJwks => new()
    {
        { "another issuer's JWKS", SetErrorCodes.InvalidKey, "no ES256 key with kid" },
        { "another key under jose's kid", SetErrorCodes.AuthenticationFailed, "does not verify" },
    };

    [Theory]
    [MemberData(nameof(SigningAlgorithmsSupported))]
    public async Task Sign_JoseVerifies_SameClaims(string algorithm)
    {
        var key = SetSigningKey.Generate(algorithm);
        var set = Samples.SessionRevokedSet();
        var token = new SetSigner(key).Sign(set);
        // A retired key of the same type in the JWKS makes jose pick the key by kid.
        var ring = new KeyRing(key, [new RetiredKey(SetSigningKey.Generate(algorithm), Samples.Now)]);

        var answers = await JoseProcess.RunAsync(Verify(token, ring.ToPublicJwks()));

        var verified = Ok(answers[0]);
        Assert.Equal(algorithm, (string?)verified["header"]!["alg"]);
        Assert.Equal(SetMediaTypes.JoseType, (string?)verified["header"]!["typ"]);
        Assert.Equal(key.KeyId, (string?)verified["header"]!["kid"]);
        AssertSameClaims(set, verified["payload"]!.AsObject());
    }

    [Theory]
    [MemberData(nameof(SigningAlgorithmsSupported))]
    public async Task ValidateAsync_JoseSigned_SameClaims(string algorithm)
    {
        var set = Samples.SessionRevokedSet();

        var answers = await JoseProcess.RunAsync(Sign(algorithm, SetPayload.ToJson(set)));
        var signed = Ok(answers[0]);
        var token = (string)signed["token"]!;
        var result = await Validator(StaticKeySource.FromJwks(signed["jwks"]!.ToJsonString())).ValidateAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(algorithm, result.Algorithm);
        Assert.Equal((string?)signed["jwks"]!["keys"]![0]!["kid"], result.KeyId);
        Assert.Equal(token, result.SignedToken);
        Assert.False(result.WasEncrypted);
        AssertSameClaims(set, JsonNode.Parse(SetPayload.ToJson(result.Set!))!.AsObject());
        var revoked = Assert.IsType<SessionRevoked>(result.Set!.Event);
        Assert.Equal("admin", revoked.InitiatingEntity);
        Assert.Equal("Landspeed policy violation", revoked.ReasonAdmin!["en"]);
    }

    [Theory]
    [MemberData(nameof(EncryptionPairs))]
    public async Task Encrypt_JoseDecryptsAndVerifies_SignedSet(string keyManagement, string contentEncryption) =>
        await EncryptForJose(keyManagement, contentEncryption, EncryptionKeys.PrivateFor(keyManagement));

    [Theory]
    [MemberData(nameof(EncryptionPairs))]
    public async Task ValidateAsync_JoseEncrypted_DecryptsAndValidates(string keyManagement, string contentEncryption) =>
        await DecryptFromJose(keyManagement, contentEncryption, EncryptionKeys.PrivateFor(keyManagement));

    [Theory]
    [MemberData(nameof(EcdhOnLargerCurves))]
    public async Task Encrypt_EcdhOnLargerCurves_InteropBothWays(string keyManagement, string curve)
    {
        var receiverKey = curve == JsonWebKeyECTypes.P384 ? EncryptionKeys.P384 : EncryptionKeys.P521;

        await EncryptForJose(keyManagement, SetEncryption.A256Gcm, receiverKey);
        await DecryptFromJose(keyManagement, SetEncryption.A256Gcm, receiverKey);
    }

    /// <summary>We encrypt; jose decrypts with the receiver's private JWK, and verifies the plaintext as the signed SET.</summary>
    private static async Task EncryptForJose(string keyManagement, string contentEncryption, AsymmetricSecurityKey receiverKey)
    {
        var key = SetSigningKey.Generate();
        var set = Samples.SessionRevokedSet();
        var signed = new SetSigner(key).Sign(set);
        var jwe = SetEncryption.Encrypt(signed, EncryptionKeys.PublicJwk(receiverKey), keyManagement, contentEncryption);

        // Verifying the signed SET itself stands for verifying the plaintext, which must equal it byte for byte.
        var answers = await JoseProcess.RunAsync(
            Decrypt(jwe, Jwk.WritePrivate(EncryptionKeys.PrivateJwk(receiverKey), keyManagement), keyManagement),
            Verify(signed, new KeyRing(key).ToPublicJwks()));

        var decrypted = Ok(answers[0]);
        Assert.Equal(signed, (string?)decrypted["plaintext"]);
        Assert.Equal(keyManagement, (string?)decrypted["header"]!["alg"]);
        Assert.Equal(contentEncryption, (string?)decrypted["header"]!["enc"]);
        Assert.Equal("JWT", (string?)decrypted["header"]!["cty"]);
        Assert.Equal(receiverKey.KeyId, (string?)decrypted["header"]!["kid"]);
        AssertSameClaims(set, Ok(answers[1])["payload"]!.AsObject());
    }

    /// <summary>jose encrypts (CompactEncrypt, cty JWT) for the receiver's public JWK; the validator decrypts and validates.</summary>
    private static async Task DecryptFromJose(string keyManagement, string contentEncryption, AsymmetricSecurityKey receiverKey)
    {
        var key = SetSigningKey.Generate();
        var set = Samples.SessionRevokedSet();
        var signed = new SetSigner(key).Sign(set);
        var answers = await JoseProcess.RunAsync(Encrypt(signed, Jwk.WritePublic(EncryptionKeys.PublicJwk(receiverKey)), keyManagement, contentEncryption));
        var jwe = (string)Ok(answers[0])["token"]!;
        var result = await Validator(new KeyRing(key).AsKeySource(), [EncryptionKeys.Rsa, receiverKey]).ValidateAsync(jwe, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.True(result.WasEncrypted);
        Assert.Equal(signed, result.SignedToken);
        Assert.Equal(key.KeyId, result.KeyId);
        AssertSameClaims(set, JsonNode.Parse(SetPayload.ToJson(result.Set!))!.AsObject());
    }

    /// <summary>
    /// A JWKS without jose's kid leaves no candidate key (invalid_key: the key is unknown); a JWKS that
    /// reuses jose's kid for another key offers a candidate whose signature check fails (authentication_failed).
    /// </summary>
    [Theory]
    [MemberData(nameof(WrongJwks))]
    public async Task ValidateAsync_JoseSignedWithWrongJwks_Refused(string wrongJwks, string expectedCode, string expectedReason)
    {
        var answers = await JoseProcess.RunAsync(Sign(SigningAlgorithms.ES256, SetPayload.ToJson(Samples.SessionRevokedSet())));
        var signed = Ok(answers[0]);
        var other = Jwk.ToPublic(SetSigningKey.Generate().PublicJwk);
        if (wrongJwks == "another key under jose's kid")
        {
            other.Kid = (string)signed["jwks"]!["keys"]![0]!["kid"]!;
        }

        var result = await Validator(StaticKeySource.FromJwks(Jwk.WritePublicSet([other]))).ValidateAsync((string)signed["token"]!, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(expectedCode, result.Error!.Code);
        Assert.Contains(expectedReason, result.Error.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> StrictJoseCases => new()
    {
        // The payload is the base64url text of the claims: an unencoded-payload JWS whose signing input
        // is byte for byte that of an ordinary one, so a validator that ignored crit would take it.
        { "crit b64 with b64 false", "an unencoded payload (RFC 7797) is not accepted" },
        { "crit naming an extension jose was told to accept", "marks 'urn:example:ext' critical" },
        { "aud twice in the claims text", "more than one member named 'aud'" },
        { "an event member twice in the claims text", "more than one member named 'initiating_entity' in events." },
    };

    [Theory]
    [MemberData(nameof(StrictJoseCases))]
    public async Task ValidateAsync_JoseSignedAgainstStrictJose_RefusedWithInvalidRequest(string violation, string expectedReason)
    {
        var claims = SetPayload.ToJson(Samples.SessionRevokedSet());
        var request = violation switch
        {
            "crit b64 with b64 false" => SignText(
                new JsonObject { ["b64"] = false, ["crit"] = new JsonArray("b64") },
                Base64UrlEncoder.Encode(claims)),
            "crit naming an extension jose was told to accept" => SignText(
                new JsonObject { ["crit"] = new JsonArray("urn:example:ext"), ["urn:example:ext"] = true },
                claims,
                "urn:example:ext"),
            "aud twice in the claims text" => SignText(
                new JsonObject(),
                claims.Replace("\"aud\":", "\"aud\":\"https://other.example.org\",\"aud\":", StringComparison.Ordinal)),
            "an event member twice in the claims text" => SignText(
                new JsonObject(),
                claims.Replace("\"initiating_entity\":", "\"initiating_entity\":\"user\",\"initiating_entity\":", StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(violation), violation, "no such case"),
        };

        var signed = Ok((await JoseProcess.RunAsync(request))[0]);
        var result = await Validator(StaticKeySource.FromJwks(signed["jwks"]!.ToJsonString())).ValidateAsync((string)signed["token"]!, CancellationToken.None);

        Assert.False(result.IsValid, $"'{violation}' was accepted");
        Assert.Equal(SetErrorCodes.InvalidRequest, result.Error!.Code);
        Assert.Contains(expectedReason, result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_JoseCompactSignOfTheClaimsText_IsAccepted()
    {
        // The control for the cases above: the same path, with nothing wrong, passes.
        var answers = await JoseProcess.RunAsync(SignText(new JsonObject(), SetPayload.ToJson(Samples.SessionRevokedSet())));
        var signed = Ok(answers[0]);

        var result = await Validator(StaticKeySource.FromJwks(signed["jwks"]!.ToJsonString())).ValidateAsync((string)signed["token"]!, CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
    }

    private static SetValidator Validator(ISetKeySource keys, IReadOnlyList<SecurityKey>? decryptionKeys = null) => new(new SetValidationOptions
    {
        Keys = keys,
        ValidIssuers = [Samples.Issuer],
        ValidAudiences = [Samples.Audience],
        TimeProvider = new FakeTimeProvider(Samples.Now),
        DecryptionKeys = decryptionKeys ?? [],
    });

    private static void AssertSameClaims(SecurityEventToken expected, JsonObject payload)
    {
        Assert.Equal(expected.Issuer, (string?)payload["iss"]);
        Assert.Equal(expected.Jti, (string?)payload["jti"]);
        // RFC 7519 §4.1.3: one audience is written as a string.
        Assert.Equal(expected.Audience.Single(), (string?)payload["aud"]);
        Assert.Equal(expected.IssuedAt.ToUnixTimeSeconds(), (long?)payload["iat"]);
        var expectedPayload = JsonNode.Parse(SetPayload.ToJson(expected))!;
        Assert.True(JsonNode.DeepEquals(expectedPayload["events"], payload["events"]), $"events differ: {payload["events"]?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(expectedPayload["sub_id"], payload["sub_id"]), $"sub_id differs: {payload["sub_id"]?.ToJsonString()}");
    }

    private static JsonObject Ok(JsonObject answer)
    {
        Assert.False(answer.ContainsKey("error"), $"jose failed: {answer["error"]?.ToJsonString()}");
        return answer;
    }

    private static JsonObject Verify(string token, string jwks) => new()
    {
        ["op"] = "verify",
        ["token"] = token,
        ["jwks"] = JsonNode.Parse(jwks),
        ["issuer"] = Samples.Issuer,
        ["audience"] = Samples.Audience,
    };

    private static JsonObject Sign(string algorithm, string payloadJson) => new()
    {
        ["op"] = "sign",
        ["alg"] = algorithm,
        ["payload"] = payloadJson,
    };

    private static JsonObject SignText(JsonObject header, string payload, params string[] recognized) => new()
    {
        ["op"] = "signText",
        ["alg"] = SigningAlgorithms.ES256,
        ["header"] = header,
        ["payload"] = payload,
        ["recognized"] = new JsonArray([.. recognized.Select(r => JsonValue.Create(r))]),
    };

    private static JsonObject Decrypt(string token, string privateJwk, string keyManagement) => new()
    {
        ["op"] = "decrypt",
        ["token"] = token,
        ["privateJwk"] = JsonNode.Parse(privateJwk),
        ["alg"] = keyManagement,
    };

    private static JsonObject Encrypt(string plaintext, string publicJwk, string keyManagement, string contentEncryption) => new()
    {
        ["op"] = "encrypt",
        ["plaintext"] = plaintext,
        ["publicJwk"] = JsonNode.Parse(publicJwk),
        ["alg"] = keyManagement,
        ["enc"] = contentEncryption,
    };
}
