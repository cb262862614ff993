using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>
/// The strict JOSE rules, one row each: <c>crit</c> and <c>b64</c> (RFC 7515 §4.1.11, RFC 7797), member
/// names given twice (RFC 7515 §5.2, RFC 8725 §3.2) and the age of <c>iat</c>. Every token is validly
/// signed, so only the rule refuses it.
/// </summary>
public sealed class SetValidatorStrictJoseTests
{
    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();
    private static readonly RsaSecurityKey ReceiverDecryptionKey = new(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "rx-enc" };
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
    private static readonly string Revoked = EventTypes.Caep.SessionRevoked;

    public static TheoryData<string, string> Violations() => new()
    {
        { "crit naming an unknown extension", "marks 'urn:example:ext' critical" },
        { "crit b64 with b64 false", "an unencoded payload (RFC 7797) is not accepted" },
        { "b64 false without crit", "an unencoded payload (RFC 7797) is not accepted" },
        { "crit not an array", "crit is not an array" },
        { "crit empty", "crit is empty" },
        { "crit with a number", "not a string" },
        { "crit naming alg", "lists 'alg'" },
        { "crit in a JWE header", "marks 'urn:example:ext' critical" },
        { "header member twice", "JOSE header has more than one member named 'alg'" },
        { "header member twice, once escaped", "JOSE header has more than one member named 'kid'" },
        { "aud twice", "claims set has more than one member named 'aud';" },
        { "iss twice, once escaped", "claims set has more than one member named 'iss';" },
        { "event type twice in events", $"more than one member named '{Revoked}' in events;" },
        { "member twice in an event", $"more than one member named 'initiating_entity' in events.{Revoked};" },
        { "member twice in sub_id", "more than one member named 'email' in sub_id;" },
        { "member twice in an unknown claim's array", "more than one member named 'a' in x-list.[];" },
        { "aud twice inside a JWE", "claims set has more than one member named 'aud';" },
        { "iat older than the maximum age", "issued 604801 s ago (iat); SETs older than 604800 s" },
        { "iat in the future beyond the clock skew", "iat is in the future by 301 s; clocks may differ by at most 300 s" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task ValidateAsync_Violation_FailsWithInvalidRequest(string violation, string expectedReason)
    {
        var result = await Validator(MaxAge).ValidateAsync(Token(violation), CancellationToken.None);

        Assert.False(result.IsValid, $"'{violation}' was accepted");
        Assert.Null(result.Set);
        Assert.Equal(SetErrorCodes.InvalidRequest, result.Error!.Code);
        Assert.Contains(expectedReason, result.Error.Description, StringComparison.Ordinal);
        Assert.False(result.IsTransient);
    }

    [Theory]
    [InlineData("b64 true without crit")]
    [InlineData("the same name in two objects")]
    [InlineData("iat exactly the maximum age")]
    [InlineData("iat within the clock skew")]
    public async Task ValidateAsync_NearMiss_IsAccepted(string nearMiss)
    {
        var result = await Validator(MaxAge).ValidateAsync(Token(nearMiss), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
    }

    [Fact]
    public async Task ValidateAsync_NoMaxAge_AcceptsAnOldSet()
    {
        var result = await Validator(maxAge: null).ValidateAsync(Token("iat older than the maximum age"), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
    }

    [Fact]
    public void Constructor_MaxAgeNotPositive_Throws() =>
        Assert.Throws<ArgumentException>(() => Validator(TimeSpan.Zero));

    [Theory]
    [InlineData("crit naming an unknown extension", JoseVerdict.Refused)]
    [InlineData("aud twice", JoseVerdict.Refused)]
    [InlineData("b64 true without crit", JoseVerdict.Acceptable)]
    [InlineData("not base64url", JoseVerdict.Malformed)]
    [InlineData("header not JSON", JoseVerdict.Malformed)]
    [InlineData("header an array", JoseVerdict.Malformed)]
    [InlineData("four segments", JoseVerdict.Malformed)]
    public void Check_Token_Verdict(string token, JoseVerdict expected)
    {
        var text = token switch
        {
            "not base64url" => "e$J.e30.x",
            "header not JSON" => $"{B64("{alg")}.e30.x",
            "header an array" => $"{B64("[]")}.e30.x",
            "four segments" => "e30.e30.e30.x",
            _ => Token(token),
        };

        Assert.Equal(expected, StrictJose.Check(text, out var reason));
        Assert.Equal(expected == JoseVerdict.Refused, reason is not null);
    }

    private static SetValidator Validator(TimeSpan? maxAge) => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([IssuerKey.SecurityKey]),
        ValidIssuers = [Samples.Issuer],
        ValidAudiences = [Samples.Audience],
        TimeProvider = new FakeTimeProvider(Samples.Now),
        DecryptionKeys = [ReceiverDecryptionKey],
        MaxAge = maxAge,
    });

    private static string Payload() => SetPayload.ToJson(Samples.SessionRevokedSet());

    private static string Header(string extra = "") =>
        $$"""{"alg":"{{IssuerKey.Algorithm}}","typ":"secevent+jwt","kid":"{{IssuerKey.KeyId}}"{{extra}}}""";

    private static string Sign(string header, string? payload = null) => TokenFactory.SignText(header, payload ?? Payload(), IssuerKey);

    /// <summary>The valid claims set with one change to its text.</summary>
    private static string Edited(string from, string to)
    {
        var payload = Payload();
        Assert.Contains(from, payload, StringComparison.Ordinal);
        return Sign(Header(), payload.Replace(from, to, StringComparison.Ordinal));
    }

    private static string WithIat(DateTimeOffset iat)
    {
        var payload = JsonNode.Parse(Payload())!.AsObject();
        payload["iat"] = iat.ToUnixTimeSeconds();
        return Sign(Header(), payload.ToJsonString());
    }

    private static string Token(string name) => name switch
    {
        "crit naming an unknown extension" => Sign(Header(""","crit":["urn:example:ext"],"urn:example:ext":true""")),
        "crit b64 with b64 false" => Sign(Header(""","b64":false,"crit":["b64"]""")),
        "b64 false without crit" => Sign(Header(""","b64":false""")),
        "b64 true without crit" => Sign(Header(""","b64":true""")),
        "crit not an array" => Sign(Header(""","crit":"urn:example:ext","urn:example:ext":true""")),
        "crit empty" => Sign(Header(""","crit":[]""")),
        "crit with a number" => Sign(Header(""","crit":[1]""")),
        "crit naming alg" => Sign(Header(""","crit":["alg"]""")),
        "crit in a JWE header" => JweWithHeaderMember(SetSigner(), "\"crit\":[\"urn:example:ext\"],\"urn:example:ext\":1"),
        "header member twice" => Sign($$"""{"alg":"none","alg":"{{IssuerKey.Algorithm}}","typ":"secevent+jwt","kid":"{{IssuerKey.KeyId}}"}"""),
        "header member twice, once escaped" => Sign(Header($$""","\u006bid":"{{IssuerKey.KeyId}}-other" """)),
        "aud twice" => Edited($"\"aud\":\"{Samples.Audience}\"", $"\"aud\":\"{Samples.Audience}\",\"aud\":\"https://other.example.org\""),
        "iss twice, once escaped" => Edited($"\"iss\":\"{Samples.Issuer}\"", $"\"iss\":\"{Samples.Issuer}\",\"\\u0069ss\":\"https://evil.example.com\""),
        "event type twice in events" => Edited("\"events\":{", $"\"events\":{{\"{Revoked}\":{{\"initiating_entity\":\"user\"}},"),
        "member twice in an event" => Edited("\"initiating_entity\":\"admin\"", "\"initiating_entity\":\"admin\",\"initiating_entity\":\"user\""),
        "member twice in sub_id" => Edited("\"sub_id\":{", "\"sub_id\":{\"email\":\"mallory@example.com\","),
        "member twice in an unknown claim's array" => Edited("\"events\":{", "\"x-list\":[{\"a\":1,\"a\":2}],\"events\":{"),
        "the same name in two objects" => Edited("\"events\":{", "\"x-one\":{\"a\":1},\"x-two\":[{\"a\":1},{\"a\":2}],\"events\":{"),
        "aud twice inside a JWE" => SetEncryption.Encrypt(Token("aud twice"), ReceiverDecryptionKey),
        "iat older than the maximum age" => WithIat(Samples.Now - MaxAge - TimeSpan.FromSeconds(1)),
        "iat exactly the maximum age" => WithIat(Samples.Now - MaxAge),
        "iat in the future beyond the clock skew" => WithIat(Samples.Now + TimeSpan.FromSeconds(301)),
        "iat within the clock skew" => WithIat(Samples.Now + TimeSpan.FromSeconds(300)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such row"),
    };

    private static string SetSigner() => new SetSigner(IssuerKey).Sign(Samples.SessionRevokedSet());

    /// <summary>A JWE for this receiver whose protected header gains members; it is refused before any decryption, so the broken AAD does not matter.</summary>
    private static string JweWithHeaderMember(string signed, string members)
    {
        var jwe = SetEncryption.Encrypt(signed, ReceiverDecryptionKey);
        var dot = jwe.IndexOf('.', StringComparison.Ordinal);
        var header = TokenFactory.DecodeHeader(jwe);
        return B64(header[..^1] + "," + members + "}") + jwe[dot..];
    }

    private static string B64(string text) => Base64UrlEncoder.Encode(System.Text.Encoding.UTF8.GetBytes(text));
}
