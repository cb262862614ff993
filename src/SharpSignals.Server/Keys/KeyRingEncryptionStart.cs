using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Keys;

/// <summary>
/// When a certificate is first configured for the key ring, the ring's key in use was made in the
/// clear, and Data Protection would keep protecting new secrets with it until it expires (90 days).
/// At start, before anything is protected, this makes a new key (stored encrypted, so it becomes the
/// key in use at once) whenever no active key is encrypted. The earlier keys stay, in the clear, to
/// read what they protected.
/// </summary>
internal sealed partial class KeyRingEncryptionStart(
    IKeyManager keys,
    IOptions<KeyManagementOptions> options,
    TimeProvider time,
    ILogger<KeyRingEncryptionStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var encrypted = options.Value.XmlRepository!.GetAllElements()
            .Where(e => e.Name.LocalName == "key" && e.Descendants().Any(d => d.Name.LocalName == EncryptedKeyRingGuard.EncryptedSecret))
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

    [LoggerMessage(Level = LogLevel.Information, Message = "The key ring's certificate is new: key {KeyId}, stored encrypted, protects secrets from now on")]
    private static partial void LogEncryptedKeyMade(ILogger logger, Guid keyId);
}
