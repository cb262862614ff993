using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Intake;
using SharpSignals.Receiver.SecurityState;
using SharpSignals.Receiver.Streams;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>
/// An application using the receiver, on Kestrel on a real loopback port, so that the server pushes
/// to it over HTTP. Its state directory outlives it, so a test can start another on the same one.
/// </summary>
internal sealed class ReceiverApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReceiverApp(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public IServiceProvider Services => _app.Services;

    public SharedSignalsReceiverStatus Status => Services.GetRequiredService<SharedSignalsReceiverStatus>();

    public RecordingHandler Recorded => Services.GetRequiredService<RecordingHandler>();

    public SubjectSecurityStates States => Services.GetRequiredService<SubjectSecurityStates>();

    /// <summary>The credential the transmitter pushes with, for tests that push by hand.</summary>
    public string PushAuthorization => Services.GetRequiredService<SetIntake>().Stream!.PushAuthorizationHeader!;

    public static async Task<ReceiverApp> StartAsync(string stateDirectory, Action<SharedSignalsReceiverOptions> configure, int? port = null, Action<WebApplicationBuilder>? build = null, Action<WebApplication>? map = null)
    {
        var listenOn = port ?? FreePort();
        var url = $"http://127.0.0.1:{listenOn}";
        // The content root is the state directory, not the test output, where the sample's appsettings.json lies.
        Directory.CreateDirectory(stateDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = stateDirectory });
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSharedSignalsReceiver(options =>
        {
            options.StateDirectory = stateDirectory;
            options.PushEndpointUrl = url + "/ssf/events";
            options.AllowInsecureHttp = true;
            options.PollWaitSeconds = 2;
            options.MaxRetryDelaySeconds = 1;
            options.MaxRefusedRetryDelaySeconds = 1;
            configure(options);
        }).AddHandler<RecordingHandler>();
        build?.Invoke(builder);
        var app = builder.Build();
        app.MapSharedSignalsReceiver("/ssf/events");
        map?.Invoke(app);
        await app.StartAsync();
        return new ReceiverApp(app, url);
    }

    /// <summary>
    /// An application joined to <paramref name="server"/> with its admin token, for
    /// <paramref name="events"/> (every CAEP and RISC type when none), started and verified.
    /// </summary>
    public static async Task<ReceiverApp> JoinAsync(SsfTestServer server, string stateDirectory, ReceiverDeliveryMethod delivery, params string[] events)
    {
        var app = await StartAsync(stateDirectory, o =>
        {
            o.Issuer = server.Issuer;
            o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
            o.Delivery = delivery;
            o.Events = events;
        });
        await app.WaitVerifiedAsync();
        return app;
    }

    /// <summary>Waits until the stream is set up and the verification asked for on this start arrived.</summary>
    public async Task WaitVerifiedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await Status.WaitVerifiedAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The stream was not verified within 20 s; last error: {Status.LastError}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
