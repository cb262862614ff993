using System.Text.Json;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Keys;

public sealed class KeyRingTests
{
    [Fact]
    public async Task Rotate_OldKeyStaysPublishedAndVerifiesWhatItSigned()
    {
        var first = SetSigningKey.Generate();
        var ring = new KeyRing(first);
        var signedBefore = new SetSigner(ring.Active).Sign(Samples.SessionRevokedSet());

        ring = ring.Rotate(SetSigningKey.Generate("RS256"), Samples.Now);
        var signedAfter = new SetSigner(ring.Active).Sign(Samples.SessionRevokedSet());

        Assert.NotEqual(first.KeyId, ring.Active.KeyId);
        Assert.Equal(first.KeyId, Assert.Single(ring.Retired).Key.KeyId);
        Assert.Equal(2, KeyIds(ring.ToPublicJwks()).Count);
        var validator = Validator(ring.AsKeySource());
        Assert.True((await validator.ValidateAsync(signedBefore, CancellationToken.None)).IsValid);
        Assert.True((await validator.ValidateAsync(signedAfter, CancellationToken.None)).IsValid);
    }

    [Fact]
    public void UpcomingKey_IsPublishedButDoesNotSign()
    {
        var active = SetSigningKey.Generate();
        var upcoming = SetSigningKey.Generate();

        var ring = new KeyRing(active, upcoming: [upcoming]).WithoutRetiredBefore(Samples.Now);

        Assert.Same(active, ring.Active);
        Assert.Same(upcoming, Assert.Single(ring.Upcoming));
        Assert.Empty(ring.Retired);
        Assert.Equal([active.KeyId, upcoming.KeyId], KeyIds(ring.ToPublicJwks()));
    }

    [Fact]
    public async Task WithoutRetiredBefore_DropsOldKeysFromJwksAndVerification()
    {
        var first = SetSigningKey.Generate();
        var signedByFirst = new SetSigner(first).Sign(Samples.SessionRevokedSet());
        var ring = new KeyRing(first).Rotate(SetSigningKey.Generate(), Samples.Now);

        var pruned = ring.WithoutRetiredBefore(Samples.Now.AddSeconds(1));

        Assert.Empty(pruned.Retired);
        Assert.DoesNotContain(first.KeyId, KeyIds(pruned.ToPublicJwks()));
        var result = await Validator(pruned.AsKeySource()).ValidateAsync(signedByFirst, CancellationToken.None);
        Assert.Equal(SetErrorCodes.InvalidKey, result.Error!.Code);
        Assert.Single(ring.WithoutRetiredBefore(Samples.Now).Retired);
    }

    private static SetValidator Validator(ISetKeySource keys) => new(new SetValidationOptions
    {
        Keys = keys,
        ValidIssuers = [Samples.Issuer],
        TimeProvider = new FakeTimeProvider(Samples.Now),
    });

    private static List<string> KeyIds(string jwks)
    {
        using var document = JsonDocument.Parse(jwks);
        return document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
    }
}
