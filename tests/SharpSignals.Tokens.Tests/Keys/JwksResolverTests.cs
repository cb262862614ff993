using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Keys;

public sealed class JwksResolverTests
{
    private static readonly Uri JwksUri = new("https://tx.example.com/jwks.json");

    private readonly FakeTimeProvider _time = new(Samples.Now);
    private KeyRing _published = new(SetSigningKey.Generate());
    private int _fetches;
    private Exception? _failure;

    [Fact]
    public async Task GetKeysAsync_KnownKid_FetchesOnceAndCaches()
    {
        using var resolver = Resolver();

        var first = await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);
        var second = await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);

        Assert.Single(first);
        Assert.Single(second);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task GetKeysAsync_UnknownKidAfterRotation_RefetchesOnceAndFindsTheNewKey()
    {
        using var resolver = Resolver();
        await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        _published = _published.Rotate(SetSigningKey.Generate(), _time.GetUtcNow());

        var keys = await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);

        Assert.Equal(_published.Active.KeyId, Assert.Single(keys).KeyId);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetKeysAsync_ManyUnknownKids_RefetchAtMostOncePerInterval()
    {
        using var resolver = Resolver();
        await resolver.GetKeysAsync(null, CancellationToken.None);

        for (var i = 0; i < 50; i++)
        {
            Assert.Empty(await resolver.GetKeysAsync($"forged-{i}", CancellationToken.None));
        }

        Assert.Equal(1, _fetches);
        _time.Advance(TimeSpan.FromSeconds(31));
        await resolver.GetKeysAsync("forged-again", CancellationToken.None);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetKeysAsync_AfterCacheDuration_FetchesAgain()
    {
        using var resolver = Resolver();
        await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);

        _time.Advance(TimeSpan.FromHours(1));
        await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);

        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetKeysAsync_ConcurrentCallers_ShareOneFetch()
    {
        var gate = new TaskCompletionSource();
        using var resolver = new JwksResolver(JwksUri, async (_, _) =>
        {
            Interlocked.Increment(ref _fetches);
            await gate.Task;
            return _published.ToPublicJwks();
        }, _time);

        var callers = Enumerable.Range(0, 10).Select(_ => resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None).AsTask()).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, _fetches);
        Assert.All(results, keys => Assert.Single(keys));
    }

    [Fact]
    public async Task GetKeysAsync_FetchFailsWithKeysCached_ServesTheCachedKeys()
    {
        using var resolver = Resolver();
        await resolver.GetKeysAsync(null, CancellationToken.None);
        _failure = new HttpRequestException("connection refused");
        _time.Advance(TimeSpan.FromHours(2));

        var keys = await resolver.GetKeysAsync(_published.Active.KeyId, CancellationToken.None);

        Assert.Single(keys);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task ValidateAsync_FetchFailsWithNothingCached_IsATransientInvalidKey()
    {
        using var resolver = Resolver();
        _failure = new HttpRequestException("connection refused");
        var validator = new SetValidator(new SetValidationOptions { Keys = resolver, ValidIssuers = [Samples.Issuer], TimeProvider = _time });

        var result = await validator.ValidateAsync(new SetSigner(_published.Active).Sign(Samples.SessionRevokedSet()), CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidKey, result.Error!.Code);
        Assert.True(result.IsTransient);
        Assert.Contains(JwksUri.ToString(), result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_KidRotatedToWithinTheRefreshInterval_IsTransientUntilTheKeysAreFetchedAgain()
    {
        using var resolver = Resolver();
        var validator = new SetValidator(new SetValidationOptions { Keys = resolver, ValidIssuers = [Samples.Issuer], TimeProvider = _time });
        Assert.True((await validator.ValidateAsync(new SetSigner(_published.Active).Sign(Samples.SessionRevokedSet()), CancellationToken.None)).IsValid);
        _time.Advance(TimeSpan.FromSeconds(10));
        _published = _published.Rotate(SetSigningKey.Generate(), _time.GetUtcNow());
        var rotated = new SetSigner(_published.Active).Sign(Samples.SessionRevokedSet());

        var early = await validator.ValidateAsync(rotated, CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidKey, early.Error!.Code);
        Assert.True(early.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(20), early.RetryAfter);
        Assert.Equal(1, _fetches);

        _time.Advance(TimeSpan.FromSeconds(20));
        var later = await validator.ValidateAsync(rotated, CancellationToken.None);

        Assert.True(later.IsValid, later.Error?.Description);
        Assert.Equal(_published.Active.KeyId, later.KeyId);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task ValidateAsync_KidStillUnknownAfterARefetch_IsAFinalInvalidKey()
    {
        using var resolver = Resolver();
        var validator = new SetValidator(new SetValidationOptions { Keys = resolver, ValidIssuers = [Samples.Issuer], TimeProvider = _time });
        await resolver.GetKeysAsync(null, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));

        var result = await validator.ValidateAsync(new SetSigner(SetSigningKey.Generate()).Sign(Samples.SessionRevokedSet()), CancellationToken.None);

        Assert.Equal(SetErrorCodes.InvalidKey, result.Error!.Code);
        Assert.False(result.IsTransient);
        Assert.Null(result.RetryAfter);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task LookupAsync_UnknownKidWhenTheRefetchFails_AsksToComeBack()
    {
        using var resolver = Resolver();
        await resolver.GetKeysAsync(null, CancellationToken.None);
        _failure = new HttpRequestException("connection refused");
        _time.Advance(TimeSpan.FromMinutes(1));

        var lookup = await resolver.LookupAsync("rotated-to", CancellationToken.None);

        Assert.Empty(lookup.Keys);
        Assert.Equal(TimeSpan.FromSeconds(30), lookup.RetryAfter);
        Assert.Equal(2, _fetches);
    }

    private JwksResolver Resolver() => new(JwksUri, (uri, _) =>
    {
        Assert.Equal(JwksUri, uri);
        _fetches++;
        return _failure is null ? Task.FromResult(_published.ToPublicJwks()) : Task.FromException<string>(_failure);
    }, _time);
}
