using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The issuer's key ring, kept in the data directory with every private key encrypted by ASP.NET
/// Core Data Protection (DESIGN.md, "Security"). The first start generates the first key.
/// </summary>
internal sealed partial class IssuerKeyStore : IHostedService
{
    private const string FileName = "issuer-keys.json";

    private readonly DataDirectory _directory;
    private readonly IDataProtector _protector;

    public IssuerKeyStore(DataDirectory directory, IDataProtectionProvider dataProtection, IOptions<ServerOptions> options, ILogger<IssuerKeyStore> logger)
    {
        _directory = directory;
        _protector = dataProtection.CreateProtector("SharpSignals.IssuerKeys.v1");
        var path = directory.File(FileName);
        if (File.Exists(path))
        {
            Ring = Load(File.ReadAllText(path));
            LogLoaded(logger, Ring.Active.KeyId, Ring.Active.Algorithm, Ring.Retired.Count);
        }
        else
        {
            Ring = new KeyRing(SetSigningKey.Generate(options.Value.Signing.Algorithm));
            Save(Ring);
            LogGenerated(logger, Ring.Active.KeyId, Ring.Active.Algorithm, path);
        }
    }

    /// <summary>The issuer's keys.</summary>
    public KeyRing Ring { get; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private KeyRing Load(string json)
    {
        var stored = JsonSerializer.Deserialize(json, KeyStoreJsonContext.Default.StoredKeyRing)
            ?? throw new InvalidDataException($"{FileName} is empty.");
        var active = SetSigningKey.FromPrivateJwk(_protector.Unprotect(stored.Active));
        var retired = stored.Retired.Select(r => new RetiredKey(SetSigningKey.FromPrivateJwk(_protector.Unprotect(r.Key)), r.RetiredAt));
        return new KeyRing(active, retired);
    }

    private void Save(KeyRing ring)
    {
        var stored = new StoredKeyRing(
            _protector.Protect(ring.Active.ExportPrivateJwk()),
            ring.Retired.Select(r => new StoredRetiredKey(_protector.Protect(r.Key.ExportPrivateJwk()), r.RetiredAt)).ToList());
        _directory.WriteSecret(FileName, JsonSerializer.Serialize(stored, KeyStoreJsonContext.Default.StoredKeyRing));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded issuer key {KeyId} ({Algorithm}) and {RetiredCount} retired keys")]
    private static partial void LogLoaded(ILogger logger, string keyId, string algorithm, int retiredCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated issuer key {KeyId} ({Algorithm}), stored encrypted in {Path}")]
    private static partial void LogGenerated(ILogger logger, string keyId, string algorithm, string path);

    internal sealed record StoredKeyRing(
        [property: JsonPropertyName("active")] string Active,
        [property: JsonPropertyName("retired")] IReadOnlyList<StoredRetiredKey> Retired);

    internal sealed record StoredRetiredKey(
        [property: JsonPropertyName("key")] string Key,
        [property: JsonPropertyName("retired_at")] DateTimeOffset RetiredAt);
}
