using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Hosting;
using SharpSignals.Receiver.State;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>
/// The security state of every subject the transmitter has reported on, kept by the built-in
/// response actions, held in memory for the authentication checks of every request and persisted in
/// the state store. Query it to show or act on what the transmitter said.
/// </summary>
public sealed class SubjectSecurityStates : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, SubjectSecurityState> _states = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly IReceiverStateStore _store;
    private readonly PrincipalSubjects _subjects;
    private readonly TimeProvider _time;

    internal SubjectSecurityStates(IReceiverStateStore store, PrincipalSubjects subjects, TimeProvider time)
    {
        _store = store;
        _subjects = subjects;
        _time = time;
    }

    /// <summary>What <see cref="WhySessionEnds"/> answers for a disabled account, whose sessions end only while it stays disabled.</summary>
    public const string AccountDisabledReason = "account disabled";

    /// <summary>What <see cref="WhySessionEnds"/> answers for a session begun at or before a revocation.</summary>
    public const string SessionsRevokedReason = "sessions revoked";

    /// <summary>What <see cref="WhySessionEnds"/> answers for a session begun at or before a credential change.</summary>
    public const string CredentialChangedReason = "credential changed";

    /// <summary>Every state kept.</summary>
    public IReadOnlyCollection<SubjectSecurityState> All => [.. _states.Values];

    /// <summary>The state of one subject (for a complex subject, of its <c>user</c>), or null when nothing was reported about it.</summary>
    /// <param name="subject">The subject.</param>
    /// <returns>The state, merged over the identifiers the subject stands for.</returns>
    public SubjectSecurityState? Get(SubjectIdentifier subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return Merge(SubjectKeys.Targets(subject));
    }

    /// <summary>The state of a signed-in user, merged over every subject identifier the user maps to; null when nothing was reported.</summary>
    /// <param name="user">The user.</param>
    /// <returns>The merged state.</returns>
    public SubjectSecurityState? GetFor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _states.IsEmpty ? null : Merge(_subjects.For(user));
    }

    /// <summary>
    /// Whether a session of <paramref name="user"/> that began at <paramref name="signedInAt"/> must end:
    /// the account is disabled, or its sessions were revoked or a credential changed at or after that
    /// time (both are whole seconds, so the same second counts as after: fail closed).
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="signedInAt">When the session began; null when unknown, which ends it whenever anything was revoked.</param>
    /// <returns>Why the session must end, or null when it may go on.</returns>
    public string? WhySessionEnds(ClaimsPrincipal user, DateTimeOffset? signedInAt)
    {
        if (GetFor(user) is not { } state)
        {
            return null;
        }

        if (state.AccountDisabled)
        {
            return AccountDisabledReason;
        }

        if (state.SessionsRevokedAt is { } revoked && (signedInAt is null || signedInAt <= revoked))
        {
            return SessionsRevokedReason;
        }

        return state.CredentialChangedAt is { } changed && (signedInAt is null || signedInAt <= changed) ? CredentialChangedReason : null;
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var state in await _store.GetSubjectStatesAsync(cancellationToken))
        {
            _states[state.Subject] = state;
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose() => _writeLock.Dispose();

    /// <summary>Changes the state of every identifier <paramref name="subject"/> stands for: persisted first, then seen by requests.</summary>
    internal async Task UpdateAsync(SubjectIdentifier subject, string jti, Func<SubjectSecurityState, SubjectSecurityState> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            foreach (var target in SubjectKeys.Targets(subject))
            {
                var key = SubjectKeys.Key(target);
                var current = _states.GetValueOrDefault(key) ?? new SubjectSecurityState { Subject = key };
                var next = change(current) with { LastJti = jti, UpdatedAt = _time.GetUtcNow() };
                await _store.SaveSubjectStateAsync(next, cancellationToken);
                _states[key] = next;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Latest revocation and credential change; account status, device, risk and assurance from the most recent report.</summary>
    private SubjectSecurityState? Merge(IEnumerable<SubjectIdentifier> identifiers)
    {
        SubjectSecurityState? merged = null;
        foreach (var identifier in identifiers)
        {
            if (!_states.TryGetValue(SubjectKeys.Key(identifier), out var state))
            {
                continue;
            }

            if (merged is null)
            {
                merged = state;
                continue;
            }

            var newer = state.UpdatedAt > merged.UpdatedAt ? state : merged;
            var account = (state.AccountStatusChangedAt ?? DateTimeOffset.MinValue) > (merged.AccountStatusChangedAt ?? DateTimeOffset.MinValue) ? state : merged;
            merged = newer with
            {
                SessionsRevokedAt = Max(state.SessionsRevokedAt, merged.SessionsRevokedAt),
                CredentialChangedAt = Max(state.CredentialChangedAt, merged.CredentialChangedAt),
                AccountDisabled = account.AccountDisabled,
                AccountDisabledReason = account.AccountDisabledReason,
                AccountStatusChangedAt = account.AccountStatusChangedAt,
            };
        }

        return merged;
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
