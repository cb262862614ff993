using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// What every contract test class shares: a provider's store, opened fresh for each test on a real
/// database (never a fake), and a way to restart it on the same data.
/// </summary>
public abstract class StoreContractBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    private ISharpSignalsStore? _store;

    protected ISharpSignalsStore Store => _store!;

    public async Task InitializeAsync() => _store = await OpenAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>Opens the provider's store; called again after <see cref="ReopenAsync"/> closes it, on the same data.</summary>
    protected abstract Task<ISharpSignalsStore> OpenAsync();

    /// <summary>Closes the store and opens it again on the same data, as a restart would.</summary>
    protected async Task ReopenAsync()
    {
        await _store!.DisposeAsync();
        _store = await OpenAsync();
    }

    /// <summary>Creates an outbound push stream of project <c>p1</c>, for a test that needs one to exist (a lease needs its stream).</summary>
    protected async Task CreateStreamAsync(string id) =>
        await Store.CreateStreamAsync(
            new StreamRecord(id, "p1", "c1", "outbound", "enabled", """{"delivery":{"method":"urn:ietf:rfc:8935"}}""", T0, T0),
            CancellationToken.None);
}
