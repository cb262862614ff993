using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Storage;
using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.Storage;

internal static class StorageServices
{
    public const string DatabaseFileName = "sharpsignals.db";

    /// <summary>The embedded SQLite store in the data directory, under each of its contracts.</summary>
    public static IServiceCollection AddServerStorage(this IServiceCollection services)
    {
        services.AddSingleton<ISharpSignalsStore>(sp =>
        {
            var directory = sp.GetRequiredService<DataDirectory>();
            _ = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            return SqliteStore.Open(new SqliteStoreOptions { DatabasePath = directory.File(DatabaseFileName) });
        });
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IStreamStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IClientStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<ISigningKeyStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        return services;
    }
}
