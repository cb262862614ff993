using SharpSignals.Receiver.Handlers;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>
/// The built-in response actions: each event that bears on a subject's sessions, credentials,
/// account, device, risk or assurance updates that subject's <see cref="SubjectSecurityState"/>.
/// Replaying an event changes nothing more (times only move forward; an older account event does
/// not undo a newer one), since a SET may come twice and in any order (RFC 8417 §4: no order is promised; RFC 8935 §2: SETs may be resent).
/// </summary>
internal sealed class ResponseActionHandler(SubjectSecurityStates states) :
    ISecurityEventHandler<SessionRevoked>,
    ISecurityEventHandler<SessionsRevoked>,
    ISecurityEventHandler<CredentialChange>,
    ISecurityEventHandler<CredentialCompromise>,
    ISecurityEventHandler<AccountDisabled>,
    ISecurityEventHandler<AccountEnabled>,
    ISecurityEventHandler<AccountPurged>,
    ISecurityEventHandler<DeviceComplianceChange>,
    ISecurityEventHandler<RiskLevelChange>,
    ISecurityEventHandler<AssuranceLevelChange>
{
    /// <summary>CAEP 1.0 §3.1: every session of the subject issued up to then ends.</summary>
    public Task HandleAsync(SecurityEventContext<SessionRevoked> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { SessionsRevokedAt = Later(s.SessionsRevokedAt, context.OccurredAt) }, cancellationToken);

    /// <summary>RISC 1.0 §2.11 (deprecated): all of the account's sessions were revoked.</summary>
    public Task HandleAsync(SecurityEventContext<SessionsRevoked> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { SessionsRevokedAt = Later(s.SessionsRevokedAt, context.OccurredAt) }, cancellationToken);

    /// <summary>CAEP 1.0 §3.3: sessions that began before the change no longer reflect the credentials.</summary>
    public Task HandleAsync(SecurityEventContext<CredentialChange> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { CredentialChangedAt = Later(s.CredentialChangedAt, context.OccurredAt) }, cancellationToken);

    /// <summary>RISC 1.0 §2.7: sessions opened with a compromised credential are not to be trusted; counted as a change when it was found.</summary>
    public Task HandleAsync(SecurityEventContext<CredentialCompromise> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { CredentialChangedAt = Later(s.CredentialChangedAt, context.OccurredAt) }, cancellationToken);

    /// <summary>RISC 1.0 §2.3: disabled until account-enabled.</summary>
    public Task HandleAsync(SecurityEventContext<AccountDisabled> context, CancellationToken cancellationToken) =>
        SetAccountAsync(context, disabled: true, context.Event.Reason, cancellationToken);

    /// <summary>RISC 1.0 §2.4.</summary>
    public Task HandleAsync(SecurityEventContext<AccountEnabled> context, CancellationToken cancellationToken) =>
        SetAccountAsync(context, disabled: false, reason: null, cancellationToken);

    /// <summary>RISC 1.0 §2.2: permanently deleted, so disabled for good (an account-enabled would still enable it).</summary>
    public Task HandleAsync(SecurityEventContext<AccountPurged> context, CancellationToken cancellationToken) =>
        SetAccountAsync(context, disabled: true, "purged", cancellationToken);

    /// <summary>CAEP 1.0 §3.5.</summary>
    public Task HandleAsync(SecurityEventContext<DeviceComplianceChange> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { DeviceCompliance = context.Event.CurrentStatus }, cancellationToken);

    /// <summary>CAEP 1.0 §3.8.</summary>
    public Task HandleAsync(SecurityEventContext<RiskLevelChange> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { RiskLevel = context.Event.CurrentLevel }, cancellationToken);

    /// <summary>CAEP 1.0 §3.4.</summary>
    public Task HandleAsync(SecurityEventContext<AssuranceLevelChange> context, CancellationToken cancellationToken) =>
        UpdateAsync(context, s => s with { AssuranceLevel = context.Event.CurrentLevel, AssuranceNamespace = context.Event.Namespace }, cancellationToken);

    private Task SetAccountAsync<TEvent>(SecurityEventContext<TEvent> context, bool disabled, string? reason, CancellationToken cancellationToken)
        where TEvent : SecurityEvent =>
        UpdateAsync(context, s => s.AccountStatusChangedAt > context.OccurredAt
            ? s
            : s with { AccountDisabled = disabled, AccountDisabledReason = reason, AccountStatusChangedAt = context.OccurredAt }, cancellationToken);

    private Task UpdateAsync<TEvent>(SecurityEventContext<TEvent> context, Func<SubjectSecurityState, SubjectSecurityState> change, CancellationToken cancellationToken)
        where TEvent : SecurityEvent =>
        context.Subject is { } subject ? states.UpdateAsync(subject, context.Set.Jti, change, cancellationToken) : Task.CompletedTask;

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset occurred) => current > occurred ? current.Value : occurred;
}
