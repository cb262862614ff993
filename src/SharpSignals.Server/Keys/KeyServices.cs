using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Configuration;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Keys;

internal static class KeyServices
{
    /// <summary>
    /// Data Protection with its key ring in the data directory, or, when nodes share the store, in
    /// the store (every node must read what another encrypted), encrypted at rest with a certificate
    /// when one is configured (<see cref="KeyRingCertificates"/>); and the issuer's signing keys.
    /// </summary>
    public static IServiceCollection AddIssuerKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("SharpSignals");
        var certificates = KeyRingCertificates.Load(configuration);
        services.AddSingleton(certificates);
        services.AddSingleton(KeyRingCertificates.Settings);
        if (certificates.Current is { } current)
        {
            dataProtection.ProtectKeysWithCertificate(current);
        }

        if (certificates.All.Any())
        {
            dataProtection.UnprotectKeysWithAnyCertificate([.. certificates.All]);
        }

        services.AddOptions<KeyManagementOptions>()
            .Configure<DataDirectory, IKeyRingStore, ILoggerFactory>((options, directory, store, loggers) =>
            {
                IXmlRepository repository;
                if (store.KeepsKeyRing)
                {
                    repository = new StoreXmlRepository(store);
                }
                else
                {
                    var path = directory.File("data-protection");
                    DataDirectory.CreatePrivateDirectory(path);
                    repository = new FileSystemXmlRepository(new DirectoryInfo(path), loggers);
                }

                options.XmlRepository = new EncryptedKeyRingGuard(repository, certificates);
            });

        // Before the issuer keys: a certificate new to the ring makes a key encrypted with it to protect them.
        if (certificates.Current is not null)
        {
            services.AddHostedService<KeyRingEncryptionStart>();
        }

        // Loaded (or generated, on first start) when the host starts, not at the first request.
        services.AddSingleton<IssuerKeyStore>();
        services.AddHostedService(sp => sp.GetRequiredService<IssuerKeyStore>());
        services.AddSingleton<SetIssuer>();
        services.AddSingleton<EncryptionKeys>();
        services.AddHostedService(sp => sp.GetRequiredService<EncryptionKeys>());
        return services;
    }
}
