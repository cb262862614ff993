using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>
/// The token is decoded and its JSON read once (StrictJose.Read), no longer again by
/// Microsoft.IdentityModel's JsonWebToken: what JsonWebToken refused while reading is still refused,
/// before the signature is looked at. Every token is validly signed, so only the reading refuses it.
/// </summary>
public sealed class SetValidatorReadOnceTests
{
    private const string Malformed = "The body is not a compact JWS or JWE.";

    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();

    private static readonly SetValidator Validator = Samples.Validator(IssuerKey);

    [Theory]
    [InlineData("alg a number")]
    [InlineData("kid an object")]
    [InlineData("typ an array")]
    [InlineData("header followed by more than white space")]
    [InlineData("a header string with an escaped lone surrogate")]
    [InlineData("a space inside the claims segment")]
    [InlineData("padding on the claims segment")]
    [InlineData("nbf a word")]
    [InlineData("azp a number")]
    [InlineData("aud an array holding a number")]
    [InlineData("jti an object")]
    [InlineData("a top-level claim name with an escaped lone surrogate")]
    public async Task ValidateAsync_WhatJsonWebTokenRefused_IsMalformed(string defect)
    {
        var result = await Validator.ValidateAsync(Token(defect), CancellationToken.None);

        Assert.False(result.IsValid, $"'{defect}' was accepted");
        Assert.Equal(SetErrorCodes.InvalidRequest, result.Error!.Code);
        Assert.Equal(Malformed, result.Error.Description);
    }

    [Theory]
    [InlineData("a header member after an object-valued one")]
    [InlineData("nbf a number")]
    [InlineData("azp a string")]
    [InlineData("white space after the header")]
    public async Task ValidateAsync_NearMiss_IsAccepted(string nearMiss)
    {
        var result = await Validator.ValidateAsync(Token(nearMiss), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(Samples.Issuer, result.Set!.Issuer);
    }

    [Fact]
    public async Task ValidateAsync_WhiteSpaceInTheSignature_DoesNotVerify()
    {
        var token = TokenFactory.SignText(Header(), Payload(), IssuerKey);
        var spaced = token[..^4] + " " + token[^4..];

        var result = await Validator.ValidateAsync(spaced, CancellationToken.None);

        Assert.Equal(SetErrorCodes.AuthenticationFailed, result.Error!.Code);
    }

    private static string Payload() => SetPayload.ToJson(Samples.SessionRevokedSet());

    private static string Header(string extra = "", string? alg = null) =>
        $$"""{{{extra}}"alg":{{alg ?? $"\"{IssuerKey.Algorithm}\""}},"typ":"secevent+jwt","kid":"{{IssuerKey.KeyId}}"}""";

    private static string WithClaim(string member) => TokenFactory.SignText(Header(), "{" + member + "," + Payload()[1..], IssuerKey);

    private static string Token(string name) => name switch
    {
        "alg a number" => TokenFactory.SignText(Header(alg: "5"), Payload(), IssuerKey),
        "kid an object" => TokenFactory.SignText(Header().Replace($"\"kid\":\"{IssuerKey.KeyId}\"", "\"kid\":{\"a\":1}", StringComparison.Ordinal), Payload(), IssuerKey),
        "typ an array" => TokenFactory.SignText(Header().Replace("\"typ\":\"secevent+jwt\"", "\"typ\":[\"secevent+jwt\"]", StringComparison.Ordinal), Payload(), IssuerKey),
        "header followed by more than white space" => TokenFactory.SignText(Header() + "x", Payload(), IssuerKey),
        "white space after the header" => TokenFactory.SignText(Header() + " \n", Payload(), IssuerKey),
        "a header string with an escaped lone surrogate" => TokenFactory.SignText(Header(extra: "\"x-note\":\"\\ud800\","), Payload(), IssuerKey),
        "a header member after an object-valued one" => TokenFactory.SignText(Header(extra: "\"x-ext\":{\"a\":1},"), Payload(), IssuerKey),
        "a space inside the claims segment" => Spaced(TokenFactory.SignText(Header(), Payload(), IssuerKey)),
        "padding on the claims segment" => Padded(TokenFactory.SignText(Header(), Payload(), IssuerKey)),
        "nbf a word" => WithClaim("\"nbf\":\"soon\""),
        "nbf a number" => WithClaim($"\"nbf\":{Samples.Now.ToUnixTimeSeconds()}"),
        "azp a number" => WithClaim("\"azp\":5"),
        "azp a string" => WithClaim("\"azp\":\"client\""),
        "aud an array holding a number" => TokenFactory.SignText(Header(), Payload().Replace($"\"aud\":\"{Samples.Audience}\"", $"\"aud\":[\"{Samples.Audience}\",5]", StringComparison.Ordinal), IssuerKey),
        "jti an object" => TokenFactory.SignText(Header(), Payload().Replace("\"jti\":", "\"jti\":{\"a\":1},\"x-jti\":", StringComparison.Ordinal), IssuerKey),
        "a top-level claim name with an escaped lone surrogate" => WithClaim("\"x\\udc00\":1"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such row"),
    };

    /// <summary>The token with a space in the middle of its claims segment (base64url has no white space; the decoder would step over it).</summary>
    private static string Spaced(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return token[..(dot + 9)] + " " + token[(dot + 9)..];
    }

    /// <summary>The token with "=" padding at the end of its claims segment.</summary>
    private static string Padded(string token)
    {
        var last = token.LastIndexOf('.');
        return token[..last] + "=" + token[last..];
    }
}
