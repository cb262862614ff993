using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SharpSignals.Receiver.Handlers;
using SharpSignals.Receiver.State;

namespace SharpSignals.Receiver;

/// <summary>Adds handlers and chooses the state store of the receiver registered with <c>AddSharedSignalsReceiver</c>.</summary>
/// <param name="services">The application's services.</param>
public sealed class SharedSignalsReceiverBuilder(IServiceCollection services)
{
    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; } = services;

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (a singleton) for every <see cref="ISecurityEventHandler{TEvent}"/> it implements.
    /// </summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <returns>This builder.</returns>
    public SharedSignalsReceiverBuilder AddHandler<THandler>()
        where THandler : class
    {
        var contracts = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISecurityEventHandler<>))
            .ToList();
        if (contracts.Count == 0)
        {
            throw new ArgumentException($"{typeof(THandler).Name} implements no ISecurityEventHandler<TEvent>.", nameof(THandler));
        }

        Services.TryAddSingleton<THandler>();
        foreach (var contract in contracts)
        {
            Services.AddSingleton(contract, provider => provider.GetRequiredService<THandler>());
        }

        return this;
    }

    /// <summary>Keeps the receiver's state in <typeparamref name="TStore"/> (a singleton) instead of files.</summary>
    /// <typeparam name="TStore">The store.</typeparam>
    /// <returns>This builder.</returns>
    public SharedSignalsReceiverBuilder UseStateStore<TStore>()
        where TStore : class, IReceiverStateStore
    {
        Services.RemoveAll<IReceiverStateStore>();
        Services.AddSingleton<IReceiverStateStore, TStore>();
        return this;
    }
}
