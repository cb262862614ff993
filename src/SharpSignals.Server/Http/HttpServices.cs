namespace SharpSignals.Server.Http;

internal static class HttpServices
{
    /// <summary>Errors as RFC 9457 problem details, and 503 with Retry-After when the store cannot be used (<see cref="StoreUnavailableHandler"/>).</summary>
    public static IServiceCollection AddHttpErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        return services;
    }
}
