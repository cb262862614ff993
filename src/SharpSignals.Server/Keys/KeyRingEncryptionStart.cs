using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Keys;

/// <summary>
/// When a certificate is new to the key ring (the first one, or one that replaced another), the key in
/// use was made in the clear or under the earlier certificate, and Data Protection would keep
/// protecting new secrets with it until it expires (90 days). At start, before anything is protected,
/// this makes a new key (encrypted with the current certificate, and so the key in use at once)
/// whenever no active key is encrypted with it. The earlier keys stay, to read what they protected.
/// </summary>
internal sealed partial class KeyRingEncryptionStart(
    IKeyManager keys,
    KeyRingCertificates certificates,
    IOptions<KeyManagementOptions> options,
    TimeProvider time,
    ILogger<KeyRingEncryptionStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var encrypted = options.Value.XmlRepository!.GetAllElements()
            .Where(e => e.Name.LocalName == "key" && KeyRingCertificates.EncryptedWith(e) is { } with && certificates.IsCurrent(with))
            .Select(e => (string?)e.Attribute("id"))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var now = time.GetUtcNow();
        var active = keys.GetAllKeys().Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).ToList();
        if (active.Count > 0 && !active.Any(k => encrypted.Contains(k.KeyId.ToString())))
        {
            var key = keys.CreateNewKey(now, now + options.Value.NewKeyLifetime);
            LogEncryptedKeyMade(logger, key.KeyId);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "The key ring's certificate is new: key {KeyId}, encrypted with it, protects secrets from now on")]
    private static partial void LogEncryptedKeyMade(ILogger logger, Guid keyId);
}
