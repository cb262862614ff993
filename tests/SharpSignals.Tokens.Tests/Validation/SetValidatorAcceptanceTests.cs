using System.Text.Json.Nodes;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>What a valid SET validates to: the same claims the transmitter wrote, whatever their order.</summary>
public sealed class SetValidatorAcceptanceTests
{
    [Theory]
    [MemberData(nameof(TestKeys.Algorithms), MemberType = typeof(TestKeys))]
    public async Task ValidateAsync_EveryCatalogEvent_ReturnsTheSignedClaims(string algorithm)
    {
        var key = TestKeys.For(algorithm);
        var signer = new SetSigner(key);
        var validator = SetRoundTrip.Validator(key);

        foreach (var (securityEvent, subject) in Samples.Events())
        {
            var set = Samples.Set(securityEvent, subject);
            var token = signer.Sign(set);

            var result = await validator.ValidateAsync(token, CancellationToken.None);

            Assert.True(result.IsValid, $"{securityEvent.EventType}: {result.Error?.Description}");
            Assert.Equal(SetPayload.ToJson(set), SetPayload.ToJson(result.Set!));
            Assert.Equal(token, result.SignedToken);
            Assert.Equal(key.KeyId, result.KeyId);
            Assert.Equal(algorithm, result.Algorithm);
            Assert.False(result.WasEncrypted);
        }
    }

    [Fact]
    public async Task ValidateAsync_ObjectClaimsFirstAndUnknownClaims_ReadsEveryClaim()
    {
        var key = TestKeys.For(SigningAlgorithms.ES256);
        var set = Samples.SessionRevokedSet();
        var written = JsonNode.Parse(SetPayload.ToJson(set))!.AsObject();
        var reordered = new JsonObject
        {
            ["events"] = written["events"]!.DeepClone(),
            ["x-extension"] = new JsonObject { ["nested"] = new JsonArray(1, new JsonObject { ["deep"] = null }, "text") },
            ["sub_id"] = written["sub_id"]!.DeepClone(),
            ["x-list"] = new JsonArray(new JsonObject { ["a"] = 1 }, new JsonArray()),
            ["x-empty"] = new JsonObject(),
        };
        foreach (var (name, value) in written)
        {
            reordered[name] ??= value!.DeepClone();
        }

        var result = await SetRoundTrip.Validator(key).ValidateAsync(TokenFactory.Sign(reordered.ToJsonString(), key), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(SetPayload.ToJson(set), SetPayload.ToJson(result.Set!));
    }
}
