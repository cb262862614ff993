using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Tests.Sets;

public sealed class SetIdsTests
{
    [Fact]
    public void NewId_IsUnpaddedBase64UrlOf128Bits_AndNeverLooksLikeAnOption()
    {
        // One id in 64 started with '-' before, and `ssf event get -s…` read it as the server option.
        var ids = Enumerable.Range(0, 20_000).Select(_ => SetIds.NewId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_-]{21}$", id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(ids, id => id[0] == 'e');
        Assert.Contains(ids, id => id[0] == '_');
    }

    [Fact]
    public void NewJti_Is128BitsBase64Url_TheTimeFirstThenRandom()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var jtis = Enumerable.Range(0, 20_000).Select(_ => SetIds.NewJti()).ToList();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.All(jtis, jti => Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_-]{21}$", jti));
        Assert.Equal(jtis.Count, jtis.Distinct(StringComparer.Ordinal).Count());
        Assert.All(jtis, jti =>
        {
            var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(jti);
            var milliseconds = bytes.Take(6).Aggregate(0L, (value, b) => (value << 8) | b);
            Assert.InRange(milliseconds, before, after);
        });

        // Made one after the other, they share their first characters: the index takes them side by side.
        Assert.True(jtis.Zip(jtis.Skip(1)).Count(pair => pair.First[..6] == pair.Second[..6]) > jtis.Count * 9 / 10);
    }
}
