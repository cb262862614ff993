using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.History;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Streams;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage;

/// <summary>Everything the server keeps, as one provider implements it.</summary>
public interface ISharpSignalsStore : IEventLog, IDeliveryStore, IStreamStore, IClientStore, ISigningKeyStore, IEncryptionKeyStore, ILeaseStore, IFencedDeliveryStore, IKeyRingStore, IStreamHistoryStore, ITenantStore, IAsyncDisposable
{
    /// <summary>Whether the store can be read and written now.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when healthy.</returns>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>Transactions committed since the store opened; with <see cref="Writes"/>, how well commits are shared.</summary>
    long Commits { get; }

    /// <summary>Writes (appends, acknowledgements, ...) committed since the store opened.</summary>
    long Writes { get; }
}
