using SharpSignals.Server.Admin;
using SharpSignals.Server.ApiDocs;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Delivery.Poll;
using SharpSignals.Server.Discovery;
using SharpSignals.Server.Health;
using SharpSignals.Server.Http;
using SharpSignals.Server.Intake;
using SharpSignals.Server.Keys;
using SharpSignals.Server.OperatorConsole;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Realtime;
using SharpSignals.Server.Retention;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Sources;
using SharpSignals.Server.StreamApi;
using SharpSignals.Server.Storage;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;
using SharpSignals.Server.Tenancy;

WebApplication? app = null;
try
{
    // appsettings.json ships beside the binary; the working directory is only where ./data goes.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    // One line per feature folder, in the order of docs/ARCHITECTURE.md: each folder uses only those above it.
    builder.Services.AddServerOptions();
    builder.Services.AddTelemetry(builder.Configuration);
    builder.Services.AddHttpErrors();
    builder.Services.AddOutbound();
    builder.Services.AddServerStorage();
    builder.Services.AddCluster();
    builder.Services.AddIssuerKeys(builder.Configuration);
    builder.Services.AddTenancy();
    builder.Services.AddServerAuth();
    builder.Services.AddStreams();
    builder.Services.AddEventRouting();
    builder.Services.AddDelivery();
    builder.Services.AddIntake();
    builder.Services.AddSources();
    builder.Services.AddStreamApi();
    builder.Services.AddRealtime();
    builder.Services.AddRetention();
    builder.Services.AddServerHealth();
    builder.Services.AddAdmin();
    builder.Services.AddApiDocs();
    builder.Services.AddConsole();
    builder.Services.AddDeliveryHistory();

    // Last: the known settings are those of every option bound above.
    builder.Services.AddUnknownSettingsCheck();
    builder.Logging.HideHostStartFailure();

    app = builder.Build();

    app.UseExceptionHandler();
    app.UseDeclaredBodyLimit();

    // Before routing: /t/{name}/... is a tenant's, served by the same endpoints (docs/TENANTS.md).
    app.UseTenantPaths();
    app.UseRouting();

    app.UseAuthentication();
    app.UseAuthorization();

    app.MapJwks();
    app.MapAuthApi();
    app.MapStreamsApi();
    app.MapPollApi();
    app.MapPublishApi();
    app.MapSourcePush();
    app.UseRealtime();
    app.MapDiscovery();
    app.MapServerHealth();
    app.MapAdmin();
    app.MapApiDocs();
    app.MapConsole();

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
