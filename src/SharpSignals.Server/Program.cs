using SharpSignals.Server.Admin;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Delivery.Poll;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.Discovery;
using SharpSignals.Server.Health;
using SharpSignals.Server.Http;
using SharpSignals.Server.Inbound;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Publishing;
using SharpSignals.Server.Realtime;
using SharpSignals.Server.Retention;
using SharpSignals.Server.StreamApi;
using SharpSignals.Server.Storage;
using SharpSignals.Server.Streams;

WebApplication? app = null;
try
{
    // appsettings.json ships beside the binary; the working directory is only where ./data goes.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddServerOptions();
    builder.Services.AddServerStorage();
    builder.Services.AddCluster();
    builder.Services.AddIssuerKeys(builder.Configuration);
    builder.Services.AddServerAuth();
    builder.Services.AddStreams();
    builder.Services.AddStreamApi();
    builder.Services.AddPushDelivery();
    builder.Services.AddInbound();
    builder.Services.AddRetention();
    builder.Services.AddRealtime();
    builder.Services.AddServerHealth();
    builder.Services.AddProblemDetails();
    builder.Services.AddExceptionHandler<StoreUnavailableHandler>();

    // Last: the known settings are those of every option bound above.
    builder.Services.AddUnknownSettingsCheck();
    builder.Logging.HideHostStartFailure();

    app = builder.Build();

    app.UseExceptionHandler();

    app.UseAuthentication();
    app.UseAuthorization();

    app.MapServerHealth();
    app.MapJwks();
    app.MapDiscovery();
    app.MapAuthApi();
    app.MapStreamsApi();
    app.MapPollApi();
    app.MapPushReceiver();
    app.MapPublishApi();
    app.MapAdminApi();
    app.MapAdminMetrics();
    app.MapAdminEventSearch();
    app.UseRealtime();

    app.Lifetime.ApplicationStarted.Register(StartFailures.Started);
    app.Run();
    return 0;
}
catch (Exception failure) when (StartFailures.IsStartFailure(failure))
{
    return StartFailures.Report(failure, app?.Logger);
}

/// <summary>The server's entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
