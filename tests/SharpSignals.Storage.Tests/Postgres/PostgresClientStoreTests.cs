using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The client store contract on a real PostgreSQL database.</summary>
public sealed class PostgresClientStoreTests : ClientStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task RegisterClientAsync_SingleUseTokensOnTwoNodesAtOnce_EachRegistersExactlyOneClient()
    {
        await using var otherNode = _database.Open();
        const int tokens = 20;
        for (var i = 0; i < tokens; i++)
        {
            await Store.CreateInitialAccessTokenAsync(new InitialAccessTokenRecord($"iat-{i}", "p1", T0, T0.AddDays(1)) { SingleUse = true }, CancellationToken.None);
        }

        var registered = await Task.WhenAll(Enumerable.Range(0, tokens).SelectMany(i => new[]
        {
            Task.Run(() => Store.RegisterClientAsync(Client($"a{i}"), $"iat-{i}", CancellationToken.None).AsTask()),
            Task.Run(() => otherNode.RegisterClientAsync(Client($"b{i}"), $"iat-{i}", CancellationToken.None).AsTask()),
        }));

        Assert.Equal(tokens, registered.Count(r => r));
        Assert.Equal(tokens, (await Store.ListClientsAsync(null, CancellationToken.None)).Count);
    }
}
