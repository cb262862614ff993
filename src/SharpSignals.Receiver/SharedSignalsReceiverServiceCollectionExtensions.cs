using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Authentication;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Handlers;
using SharpSignals.Receiver.Intake;
using SharpSignals.Receiver.Polling;
using SharpSignals.Receiver.SecurityState;
using SharpSignals.Receiver.State;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Transmitter;

namespace SharpSignals.Receiver;

/// <summary>Registers the shared signals receiver.</summary>
public static class SharedSignalsReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Adds the receiver: options bound from the <c>SharedSignals</c> section (then <paramref name="configure"/>)
    /// and checked at start; the stream set-up, the poller (poll delivery), the state store (files by
    /// default), typed dispatch, and the built-in response actions wired into cookie authentication and
    /// every other scheme, and the sign-in refusal of <see cref="SharedSignalsReceiverOptions.RefuseSignInWhileStreamDown"/>.
    /// Call it after registering any <see cref="IClaimsTransformation"/> of the application's own.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to the bound options.</param>
    /// <returns>A builder for handlers and the state store.</returns>
    public static SharedSignalsReceiverBuilder AddSharedSignalsReceiver(this IServiceCollection services, Action<SharedSignalsReceiverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SharedSignalsReceiverOptions>()
            .BindConfiguration(SharedSignalsReceiverOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var builder = new SharedSignalsReceiverBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(SetIntake)))
        {
            // Registered before: only the options above are added to.
            return builder;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SharedSignalsReceiverOptions>, SharedSignalsReceiverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IReceiverStateStore, FileReceiverStateStore>();
        // Time-outs are per call (a long poll waits longer than a key fetch), so the HttpClient has none of its own.
        services.AddHttpClient(TransmitterClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<TransmitterClient>();
        services.TryAddSingleton<SharedSignalsReceiverStatus>();
        services.TryAddSingleton<EventDispatcher>();
        services.TryAddSingleton<SetIntake>();
        services.TryAddSingleton<PrincipalSubjects>();
        services.TryAddSingleton(provider => new SubjectSecurityStates(
            provider.GetRequiredService<IReceiverStateStore>(),
            provider.GetRequiredService<PrincipalSubjects>(),
            provider.GetRequiredService<TimeProvider>()));

        // The subject states load before the stream starts taking SETs in, and before requests are served.
        services.AddHostedService(provider => provider.GetRequiredService<SubjectSecurityStates>());
        services.AddHostedService<StreamSetupService>();
        services.AddHostedService<PollingService>();

        builder.AddHandler<ResponseActionHandler>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, CookieResponseActions>());
        services.TryAddSingleton<SignInRefusal>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, SignInRefusal.StartupFilter>());
        WrapClaimsTransformation(services);
        WrapAuthorizationResultHandler(services);
        return builder;
    }

    /// <summary>The application's own claims transformation, if any, keeps running inside the receiver's.</summary>
    private static void WrapClaimsTransformation(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IClaimsTransformation));
        services.RemoveAll<IClaimsTransformation>();
        services.AddTransient<IClaimsTransformation>(provider => new ResponseActionClaimsTransformation(
            provider.GetRequiredService<SubjectSecurityStates>(),
            existing switch
            {
                null => null,
                { ImplementationInstance: IClaimsTransformation instance } => instance,
                { ImplementationFactory: { } factory } => (IClaimsTransformation)factory(provider),
                _ => (IClaimsTransformation)ActivatorUtilities.CreateInstance(provider, existing.ImplementationType!),
            }));
    }

    /// <summary>The application's own authorization result handler, if any (else the framework's), answers after the receiver's.</summary>
    private static void WrapAuthorizationResultHandler(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        services.RemoveAll<IAuthorizationMiddlewareResultHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler>(provider => new ResponseActionAuthorizationResultHandler(existing switch
        {
            null => new AuthorizationMiddlewareResultHandler(),
            { ImplementationInstance: IAuthorizationMiddlewareResultHandler instance } => instance,
            { ImplementationFactory: { } factory } => (IAuthorizationMiddlewareResultHandler)factory(provider),
            _ => (IAuthorizationMiddlewareResultHandler)ActivatorUtilities.CreateInstance(provider, existing.ImplementationType!),
        }));
    }
}
