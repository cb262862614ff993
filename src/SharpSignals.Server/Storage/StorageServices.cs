using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Storage;
using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Postgres;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Streams;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Storage;

internal static class StorageServices
{
    public const string DatabaseFileName = "sharpsignals.db";

    /// <summary>
    /// The store <c>SharpSignals:Storage</c> names, under each of its contracts: the embedded SQLite
    /// store in the data directory, or the PostgreSQL database of <c>ConnectionStrings:Postgres</c>
    /// that the nodes of a cluster share.
    /// </summary>
    public static IServiceCollection AddServerStorage(this IServiceCollection services)
    {
        services.AddOptions<DeliveryHistoryOptions>().BindConfiguration(DeliveryHistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ISharpSignalsStore>(sp =>
        {
            // Reading the options validates them first, so a missing connection string is reported
            // with every other configuration mistake rather than as a connection failure.
            var options = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            var attemptsKept = sp.GetRequiredService<IOptions<DeliveryHistoryOptions>>().Value.AttemptsKept;

            // The data directory first, in either mode: its lock is what keeps a second server off it.
            var directory = sp.GetRequiredService<DataDirectory>();
            if (options.Storage == ServerOptions.PostgresStorage)
            {
                var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ServerOptions.PostgresConnectionName)!;
                try
                {
                    return PostgresStore.Open(new PostgresStoreOptions { ConnectionString = connectionString, AttemptsKept = attemptsKept });
                }
                catch (DbException ex)
                {
                    throw new StartFailureException($"ConnectionStrings:{ServerOptions.PostgresConnectionName}: the database cannot be used ({ex.Message}).", ex);
                }
            }

            var path = directory.File(DatabaseFileName);
            try
            {
                return SqliteStore.Open(new SqliteStoreOptions { DatabasePath = path, AttemptsKept = attemptsKept });
            }
            catch (SqliteException ex)
            {
                throw new StartFailureException($"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)}: the database '{path}' cannot be opened and written ({ex.Message}).", ex);
            }
        });
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IStreamStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IClientStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<ISigningKeyStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<ITenantStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<ILeaseStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IFencedDeliveryStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        services.AddSingleton<IKeyRingStore>(sp => sp.GetRequiredService<ISharpSignalsStore>());
        return services;
    }
}
