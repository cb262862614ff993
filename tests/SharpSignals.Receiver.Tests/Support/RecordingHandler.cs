using System.Collections.Concurrent;
using SharpSignals.Receiver.Handlers;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>Records every event given to it, by the typed handler interface that received it; can be told to fail.</summary>
internal sealed class RecordingHandler :
    ISecurityEventHandler<SecurityEvent>,
    ISecurityEventHandler<SessionRevoked>, ISecurityEventHandler<TokenClaimsChange>, ISecurityEventHandler<CredentialChange>,
    ISecurityEventHandler<AssuranceLevelChange>, ISecurityEventHandler<DeviceComplianceChange>, ISecurityEventHandler<SessionEstablished>,
    ISecurityEventHandler<SessionPresented>, ISecurityEventHandler<RiskLevelChange>,
    ISecurityEventHandler<AccountCredentialChangeRequired>, ISecurityEventHandler<AccountPurged>, ISecurityEventHandler<AccountDisabled>,
    ISecurityEventHandler<AccountEnabled>, ISecurityEventHandler<IdentifierChanged>, ISecurityEventHandler<IdentifierRecycled>,
    ISecurityEventHandler<CredentialCompromise>, ISecurityEventHandler<OptIn>, ISecurityEventHandler<OptOutInitiated>,
    ISecurityEventHandler<OptOutCancelled>, ISecurityEventHandler<OptOutEffective>, ISecurityEventHandler<RecoveryActivated>,
    ISecurityEventHandler<RecoveryInformationChanged>, ISecurityEventHandler<SessionsRevoked>
{
    private int _failures;

    /// <summary>(handler interface's event type, jti) for every typed call.</summary>
    public ConcurrentQueue<(Type HandledAs, string Jti)> Typed { get; } = new();

    /// <summary>The jti of every event given to the catch-all handler.</summary>
    public ConcurrentQueue<string> All { get; } = new();

    /// <summary>While set, every typed call throws.</summary>
    public bool Fail { get; set; }

    /// <summary>How many typed calls threw.</summary>
    public int Failures => _failures;

    public int CountOf(string jti) => Typed.Count(t => t.Jti == jti);

    public Task HandleAsync(SecurityEventContext<SecurityEvent> context, CancellationToken cancellationToken)
    {
        All.Enqueue(context.Set.Jti);
        return Task.CompletedTask;
    }

    public Task HandleAsync(SecurityEventContext<SessionRevoked> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<TokenClaimsChange> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<CredentialChange> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<AssuranceLevelChange> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<DeviceComplianceChange> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<SessionEstablished> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<SessionPresented> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<RiskLevelChange> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<AccountCredentialChangeRequired> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<AccountPurged> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<AccountDisabled> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<AccountEnabled> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<IdentifierChanged> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<IdentifierRecycled> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<CredentialCompromise> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<OptIn> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<OptOutInitiated> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<OptOutCancelled> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<OptOutEffective> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<RecoveryActivated> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<RecoveryInformationChanged> context, CancellationToken cancellationToken) => Record(context);

    public Task HandleAsync(SecurityEventContext<SessionsRevoked> context, CancellationToken cancellationToken) => Record(context);

    private Task Record<TEvent>(SecurityEventContext<TEvent> context)
        where TEvent : SecurityEvent
    {
        if (Fail)
        {
            Interlocked.Increment(ref _failures);
            throw new InvalidOperationException("told to fail");
        }

        Assert.IsType<TEvent>(context.Event);
        Typed.Enqueue((typeof(TEvent), context.Set.Jti));
        return Task.CompletedTask;
    }
}
