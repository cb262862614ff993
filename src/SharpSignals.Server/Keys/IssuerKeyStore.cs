using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The issuer's key ring, loaded from the store at start, with every private key encrypted by
/// ASP.NET Core Data Protection before it is stored (docs/ARCHITECTURE.md, "Security"). The first start
/// generates the first key. A rotation publishes the next key at once and lets it sign only after
/// <see cref="SigningOptions.RotationLeadSeconds"/>: the stored creation time of a key is when it
/// starts signing, so every node of a cluster switches at the same moment, without a restart or a
/// message, by reading its clock.
/// </summary>
internal sealed partial class IssuerKeyStore(
    ISigningKeyStore store,
    IDataProtectionProvider dataProtection,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<IssuerKeyStore> logger) : IHostedService
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SharpSignals.IssuerKeys.v1");

    // Each tenant's ring (docs/TENANTS.md); "" is the default tenant's, loaded at start, the others as the tenants come and go.
    private readonly ConcurrentDictionary<string, TenantRing> _rings = new(StringComparer.Ordinal);

    /// <summary>Raised after this node changed a ring: rotated the keys, or stopped publishing retired ones.</summary>
    public event Action? Changed;

    /// <summary>The default tenant's current ring: the key that signs now, the ones published ahead of signing, the retired ones.</summary>
    public KeyRing Ring => RingOf(TenantProjects.DefaultTenant);

    /// <summary>A tenant's current ring.</summary>
    /// <exception cref="InvalidOperationException">The tenant's keys are not loaded: it does not exist.</exception>
    public KeyRing RingOf(string tenant) => Get(tenant).Ring(time.GetUtcNow(), logger);

    /// <summary>When each of the default tenant's published keys started or starts signing, and when it stopped or stops: for the admin API.</summary>
    public IReadOnlyList<(SetSigningKey Key, DateTimeOffset SignsFrom, DateTimeOffset? RetiredAt)> Keys => KeysOf(TenantProjects.DefaultTenant);

    /// <summary>A tenant's published keys with their times.</summary>
    public IReadOnlyList<(SetSigningKey Key, DateTimeOffset SignsFrom, DateTimeOffset? RetiredAt)> KeysOf(string tenant) =>
        [.. (_rings.GetValueOrDefault(tenant)?.Schedule?.Keys ?? []).Select(k => (k.Key, k.From, k.RetiredAt))];

    public async Task StartAsync(CancellationToken cancellationToken) => await LoadOrCreateAsync(TenantProjects.DefaultTenant, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Rotates the default tenant's keys (<see cref="RotateAsync(string, string, bool, CancellationToken)"/>).</summary>
    public Task<(SetSigningKey Key, DateTimeOffset SignsFrom)> RotateAsync(string algorithm, bool immediately, CancellationToken cancellationToken) =>
        RotateAsync(TenantProjects.DefaultTenant, algorithm, immediately, cancellationToken);

    /// <summary>
    /// Generates a new key for a tenant and publishes it at once; it signs after the configured lead time, or at
    /// once when <paramref name="immediately"/> (a compromised key), and the key it replaces stays published as
    /// retired.
    /// </summary>
    /// <returns>The new key and when it signs from.</returns>
    public async Task<(SetSigningKey Key, DateTimeOffset SignsFrom)> RotateAsync(string tenant, string algorithm, bool immediately, CancellationToken cancellationToken)
    {
        var key = SetSigningKey.Generate(algorithm);
        var now = time.GetUtcNow();
        var signsFrom = immediately ? now : now.AddSeconds(options.Value.Signing.RotationLeadSeconds);
        await store.RotateSigningKeyAsync(
            new SigningKeyRecord(key.KeyId, key.Algorithm, _protector.Protect(key.ExportPrivateJwk()), signsFrom) { Tenant = tenant },
            cancellationToken);
        Load(tenant, await store.ListSigningKeysAsync(tenant, cancellationToken));
        LogGenerated(logger, key.KeyId, key.Algorithm, signsFrom, tenant);
        Changed?.Invoke();
        return (key, signsFrom);
    }

    /// <summary>
    /// Retention: stops publishing the keys retired before <paramref name="cutoff"/>, once no SET
    /// signed with them can still be sent. The active key always stays.
    /// </summary>
    /// <returns>How many keys were removed.</returns>
    public async Task<int> PruneRetiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = await store.DeleteSigningKeysRetiredBeforeAsync(cutoff, cancellationToken);
        if (removed > 0)
        {
            // In a cluster one node prunes for all (RetentionService); the others hear of it here.
            await ReloadAsync(cancellationToken);
            Changed?.Invoke();
        }

        return removed;
    }

    /// <summary>Reads every tenant's ring again when another node may have rotated it; an unchanged ring is kept as it is.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        foreach (var tenant in _rings.Keys)
        {
            var stored = await store.ListSigningKeysAsync(tenant, cancellationToken);
            var current = _rings.GetValueOrDefault(tenant)?.Schedule;
            if (!stored.Any(k => k.RetiredAt is null)
                || (current is not null && stored.Count == current.Keys.Count
                    && stored.All(s => current.Keys.Any(k => k.Key.KeyId == s.KeyId && k.From == s.CreatedAt && k.RetiredAt == s.RetiredAt))))
            {
                continue;
            }

            Load(tenant, stored);
        }
    }

    /// <summary>
    /// Follows the live tenants (TenantRegistry): loads the ring of each new one, making its first key if it has
    /// none yet, and forgets the rings of deleted ones, so that nothing is signed for them any more.
    /// </summary>
    public async Task FollowTenantsAsync(IReadOnlyCollection<string> live, CancellationToken cancellationToken)
    {
        foreach (var tenant in live.Where(t => !_rings.ContainsKey(t)))
        {
            await LoadOrCreateAsync(tenant, cancellationToken);
        }

        foreach (var gone in _rings.Keys.Where(t => t.Length > 0 && !live.Contains(t)))
        {
            _rings.TryRemove(gone, out _);
        }
    }

    private async Task LoadOrCreateAsync(string tenant, CancellationToken cancellationToken)
    {
        var stored = await store.ListSigningKeysAsync(tenant, cancellationToken);
        if (!stored.Any(k => k.RetiredAt is null))
        {
            await RotateAsync(tenant, options.Value.Signing.Algorithm, immediately: true, cancellationToken);
            return;
        }

        Load(tenant, stored);
    }

    private TenantRing Get(string tenant) =>
        _rings.TryGetValue(tenant, out var ring) && ring.Schedule is not null
            ? ring
            : throw new InvalidOperationException($"The keys of tenant '{tenant}' are not loaded: the default tenant's load when the host starts, the others' when the tenant is created.");

    private void Load(string tenant, IReadOnlyList<SigningKeyRecord> stored)
    {
        // Keys already decrypted are kept: a reload only reads what another node added.
        var ring = _rings.GetOrAdd(tenant, _ => new TenantRing());
        var known = (ring.Schedule?.Keys ?? []).ToDictionary(k => k.Key.KeyId, k => k.Key, StringComparer.Ordinal);
        var keys = stored
            .Select(r => new ScheduledKey(known.GetValueOrDefault(r.KeyId) ?? Decrypt(r), r.CreatedAt, r.RetiredAt))
            .ToList();
        var schedule = Schedule.At(keys, time.GetUtcNow());
        ring.Schedule = schedule;
        LogLoaded(logger, schedule.Ring.Active.KeyId, schedule.Ring.Active.Algorithm, schedule.Ring.Upcoming.Count, schedule.Ring.Retired.Count, tenant);
    }

    /// <summary>One tenant's keys, as the schedule that says which signs when.</summary>
    private sealed class TenantRing
    {
        private volatile Schedule? _schedule;

        public Schedule? Schedule
        {
            get => _schedule;
            set => _schedule = value;
        }

        public KeyRing Ring(DateTimeOffset now, ILogger logger)
        {
            var schedule = _schedule!;
            if (now < schedule.Until)
            {
                return schedule.Ring;
            }

            // An upcoming key's time has come: it signs from now on, on every node alike.
            var next = Schedule.At(schedule.Keys, now);
            _schedule = next;
            LogActivated(logger, next.Ring.Active.KeyId, next.Ring.Active.Algorithm);
            return next.Ring;
        }
    }

    private SetSigningKey Decrypt(SigningKeyRecord record) => SetSigningKey.FromPrivateJwk(_protector.Unprotect(record.ProtectedPrivateKey));

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded issuer key {KeyId} ({Algorithm}), {UpcomingCount} upcoming and {RetiredCount} retired keys, tenant '{Tenant}'")]
    private static partial void LogLoaded(ILogger logger, string keyId, string algorithm, int upcomingCount, int retiredCount, string tenant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated issuer key {KeyId} ({Algorithm}), published now, signing from {SignsFrom:O}, tenant '{Tenant}'")]
    private static partial void LogGenerated(ILogger logger, string keyId, string algorithm, DateTimeOffset signsFrom, string tenant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issuer key {KeyId} ({Algorithm}) signs from now on")]
    private static partial void LogActivated(ILogger logger, string keyId, string algorithm);

    /// <summary>A stored key: it signs from <paramref name="From"/> until <paramref name="RetiredAt"/>, unless a newer key signs by then.</summary>
    private sealed record ScheduledKey(SetSigningKey Key, DateTimeOffset From, DateTimeOffset? RetiredAt)
    {
        public bool SignsAt(DateTimeOffset now) => From <= now && (RetiredAt is null || now < RetiredAt);

        /// <summary>Whether it is still to sign after <paramref name="now"/> (a key retired before its start never signs).</summary>
        public bool IsUpcomingAt(DateTimeOffset now) => From > now && (RetiredAt is null || RetiredAt > From);
    }

    /// <summary>The ring as it is at one moment, and until when it stays so.</summary>
    private sealed record Schedule(IReadOnlyList<ScheduledKey> Keys, KeyRing Ring, DateTimeOffset Until)
    {
        public static Schedule At(IReadOnlyList<ScheduledKey> keys, DateTimeOffset now)
        {
            // The newest key whose time has come signs. Should no key sign yet (this node's clock behind
            // the one that rotated), the one the store holds active does.
            var active = keys.Where(k => k.SignsAt(now)).MaxBy(k => k.From) ?? keys.Last(k => k.RetiredAt is null);
            var upcoming = keys.Where(k => k != active && k.IsUpcomingAt(now)).OrderBy(k => k.From).ToList();
            var retired = keys.Where(k => k != active && !upcoming.Contains(k)).Select(k => new RetiredKey(k.Key, k.RetiredAt ?? now));
            var ring = new KeyRing(active.Key, retired, upcoming.Select(k => k.Key));
            return new Schedule(keys, ring, upcoming.Count > 0 ? upcoming[0].From : DateTimeOffset.MaxValue);
        }
    }
}
