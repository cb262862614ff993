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
    /// the store (every node must read what another encrypted); and the issuer's signing keys.
    /// </summary>
    public static IServiceCollection AddIssuerKeys(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("SharpSignals");
        services.AddOptions<KeyManagementOptions>()
            .Configure<DataDirectory, IClusterStore, ILoggerFactory>((options, directory, store, loggers) =>
            {
                if (store.IsShared)
                {
                    options.XmlRepository = new StoreXmlRepository(store);
                    return;
                }

                var path = directory.File("data-protection");
                DataDirectory.CreatePrivateDirectory(path);
                options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(path), loggers);
            });

        // Loaded (or generated, on first start) when the host starts, not at the first request.
        services.AddSingleton<IssuerKeyStore>();
        services.AddHostedService(sp => sp.GetRequiredService<IssuerKeyStore>());
        return services;
    }
}
