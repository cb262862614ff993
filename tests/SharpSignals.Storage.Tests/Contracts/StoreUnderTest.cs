using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>A provider's store as the contract tests see it.</summary>
public sealed record StoreUnderTest(IEventLog Log, IDeliveryStore Deliveries, IAsyncDisposable Handle);
