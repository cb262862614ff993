using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Storage.Keys;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The issuer's key ring, loaded from the store at start, with every private key encrypted by
/// ASP.NET Core Data Protection before it is stored (DESIGN.md, "Security"). The first start
/// generates the first key.
/// </summary>
internal sealed partial class IssuerKeyStore(
    ISigningKeyStore store,
    IDataProtectionProvider dataProtection,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<IssuerKeyStore> logger) : IHostedService
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SharpSignals.IssuerKeys.v1");
    private volatile KeyRing? _ring;

    /// <summary>Raised after this node changed the ring: rotated the keys, or stopped publishing retired ones.</summary>
    public event Action? Changed;

    /// <summary>The current ring; rotation replaces it as a whole.</summary>
    public KeyRing Ring => _ring ?? throw new InvalidOperationException("The issuer keys are loaded when the host starts.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListSigningKeysAsync(cancellationToken);
        if (!stored.Any(k => k.RetiredAt is null))
        {
            await RotateAsync(options.Value.Signing.Algorithm, cancellationToken);
            return;
        }

        _ring = Build(stored);
        LogLoaded(logger, _ring.Active.KeyId, _ring.Active.Algorithm, _ring.Retired.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Generates a new active key; the current one stays published as retired.</summary>
    public async Task<KeyRing> RotateAsync(string algorithm, CancellationToken cancellationToken)
    {
        var key = SetSigningKey.Generate(algorithm);
        await store.RotateSigningKeyAsync(
            new SigningKeyRecord(key.KeyId, key.Algorithm, _protector.Protect(key.ExportPrivateJwk()), time.GetUtcNow()),
            cancellationToken);
        _ring = Build(await store.ListSigningKeysAsync(cancellationToken));
        LogGenerated(logger, key.KeyId, key.Algorithm);
        Changed?.Invoke();
        return _ring;
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

    /// <summary>Reads the ring again when another node may have rotated it; an unchanged ring is kept as it is.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        // Rotation only adds keys and retention only removes them, so the same key ids mean the same ring.
        var stored = await store.ListSigningKeysAsync(cancellationToken);
        var current = _ring;
        if (!stored.Any(k => k.RetiredAt is null)
            || (current is not null && stored.Select(k => k.KeyId).ToHashSet().SetEquals(current.Retired.Select(r => r.Key.KeyId).Append(current.Active.KeyId))))
        {
            return;
        }

        _ring = Build(stored);
        LogLoaded(logger, _ring.Active.KeyId, _ring.Active.Algorithm, _ring.Retired.Count);
    }

    private KeyRing Build(IReadOnlyList<SigningKeyRecord> stored)
    {
        var active = stored.Last(k => k.RetiredAt is null);
        return new KeyRing(
            Load(active),
            stored.Where(k => k.RetiredAt is not null).Select(k => new RetiredKey(Load(k), k.RetiredAt!.Value)));
    }

    private SetSigningKey Load(SigningKeyRecord record) => SetSigningKey.FromPrivateJwk(_protector.Unprotect(record.ProtectedPrivateKey));

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded issuer key {KeyId} ({Algorithm}) and {RetiredCount} retired keys")]
    private static partial void LogLoaded(ILogger logger, string keyId, string algorithm, int retiredCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated issuer key {KeyId} ({Algorithm})")]
    private static partial void LogGenerated(ILogger logger, string keyId, string algorithm);
}
