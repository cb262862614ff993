using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Keys;

public sealed class SetSigningKeyTests
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

    [Theory]
    [InlineData("ES256", "EC")]
    [InlineData("RS256", "RSA")]
    [InlineData("PS256", "RSA")]
    public void Generate_EachAlgorithm_PublishesOnlyPublicMembers(string algorithm, string keyType)
    {
        var key = SetSigningKey.Generate(algorithm);

        using var jwks = JsonDocument.Parse(new KeyRing(key).ToPublicJwks());
        var published = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(keyType, published.GetProperty("kty").GetString());
        Assert.Equal(algorithm, published.GetProperty("alg").GetString());
        Assert.Equal("sig", published.GetProperty("use").GetString());
        Assert.Equal(key.KeyId, published.GetProperty("kid").GetString());
        Assert.All(PrivateMembers, m => Assert.False(published.TryGetProperty(m, out _), $"private member {m} published"));
    }

    [Fact]
    public void Generate_KeyId_IsTheRfc7638Thumbprint()
    {
        var key = SetSigningKey.Generate();

        Assert.Equal(Base64UrlEncoder.Encode(key.PublicJwk.ComputeJwkThumbprint()), key.KeyId);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task ExportPrivateJwk_ReloadedKey_SignsWhatTheOriginalVerifies(string algorithm)
    {
        var original = SetSigningKey.Generate(algorithm);

        var reloaded = SetSigningKey.FromPrivateJwk(original.ExportPrivateJwk());
        var token = new SetSigner(reloaded).Sign(Samples.SessionRevokedSet());
        var result = await new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(Jwk.WritePublicSet([original.PublicJwk])),
            ValidIssuers = [Samples.Issuer],
            TimeProvider = new FakeTimeProvider(Samples.Now),
        }).ValidateAsync(token, CancellationToken.None);

        Assert.Equal(original.KeyId, reloaded.KeyId);
        Assert.Equal(algorithm, reloaded.Algorithm);
        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Contains($"\"alg\":\"{algorithm}\"", TokenFactory.DecodeHeader(token), StringComparison.Ordinal);
    }

    [Fact]
    public void FromPrivateJwk_PublicKeyOnly_IsRefused()
    {
        var publicOnly = Jwk.WritePublic(SetSigningKey.Generate().PublicJwk);

        Assert.Throws<ArgumentException>(() => SetSigningKey.FromPrivateJwk(publicOnly));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("ES384")]
    public void Generate_UnsupportedAlgorithm_Throws(string algorithm)
    {
        Assert.Throws<ArgumentException>(() => SetSigningKey.Generate(algorithm));
    }

    [Fact]
    public void Generate_SmallRsaKey_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SetSigningKey.Generate("RS256", 1024));
    }

    [Fact]
    public void Sign_Header_HasTypKidAndAlgAndTheClaimsHaveNoSubOrExp()
    {
        var key = SetSigningKey.Generate();

        var token = new SetSigner(key).Sign(Samples.SessionRevokedSet());

        using var header = JsonDocument.Parse(TokenFactory.DecodeHeader(token));
        Assert.Equal("secevent+jwt", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(key.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        using var claims = JsonDocument.Parse(TokenFactory.DecodePayload(token));
        Assert.False(claims.RootElement.TryGetProperty("sub", out _));
        Assert.False(claims.RootElement.TryGetProperty("exp", out _));
        Assert.False(claims.RootElement.TryGetProperty("nbf", out _));
        Assert.Equal(Samples.Now.ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal(Samples.Audience, claims.RootElement.GetProperty("aud").GetString());
    }
}
