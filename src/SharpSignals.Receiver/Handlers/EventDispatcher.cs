using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Handlers;

/// <summary>
/// Gives each event of a SET to the handlers registered for its record type, then to those
/// registered for every event (<see cref="ISecurityEventHandler{SecurityEvent}"/>). The typed call
/// is built once per record type, so dispatch costs no reflection per SET.
/// </summary>
internal sealed class EventDispatcher(IServiceScopeFactory scopes)
{
    private static readonly ConcurrentDictionary<Type, Func<IServiceProvider, SecurityEvent, SecurityEventToken, CancellationToken, Task>> Typed = new();

    public async Task DispatchAsync(SecurityEventToken set, CancellationToken cancellationToken)
    {
        // One scope per SET: handlers may be scoped (a DbContext, say), as in a request.
        await using var scope = scopes.CreateAsyncScope();
        foreach (var securityEvent in set.Events)
        {
            var dispatch = Typed.GetOrAdd(securityEvent.GetType(), static type =>
                type == typeof(SecurityEvent) || !typeof(SecurityEvent).IsAssignableFrom(type)
                    ? static (_, _, _, _) => Task.CompletedTask
                    : typeof(EventDispatcher).GetMethod(nameof(DispatchTypedAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                        .MakeGenericMethod(type)
                        .CreateDelegate<Func<IServiceProvider, SecurityEvent, SecurityEventToken, CancellationToken, Task>>());
            await dispatch(scope.ServiceProvider, securityEvent, set, cancellationToken);
            await DispatchTypedAsync<SecurityEvent>(scope.ServiceProvider, securityEvent, set, cancellationToken);
        }
    }

    private static async Task DispatchTypedAsync<TEvent>(IServiceProvider provider, SecurityEvent securityEvent, SecurityEventToken set, CancellationToken cancellationToken)
        where TEvent : SecurityEvent
    {
        SecurityEventContext<TEvent>? context = null;
        foreach (var handler in provider.GetServices<ISecurityEventHandler<TEvent>>())
        {
            context ??= new SecurityEventContext<TEvent>((TEvent)securityEvent, set);
            await handler.HandleAsync(context, cancellationToken);
        }
    }
}
