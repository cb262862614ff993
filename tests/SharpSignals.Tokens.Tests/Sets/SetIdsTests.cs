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
}
