using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Http;

internal static class HttpServices
{
    /// <summary>
    /// Errors as RFC 9457 problem details, and 503 with Retry-After when the store cannot be used
    /// (<see cref="StoreUnavailableHandler"/>); Kestrel's limits on slow and large requests
    /// (<see cref="RequestLimitsOptions"/>), answered with their own 4xx (<see cref="RequestBodyRefusedHandler"/>).
    /// </summary>
    public static IServiceCollection AddHttpErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<RequestBodyRefusedHandler>();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelRequestLimits>();
        return services;
    }
}
