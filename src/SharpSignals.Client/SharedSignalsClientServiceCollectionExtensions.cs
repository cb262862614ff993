using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SharpSignals.Client;

/// <summary>Registers <see cref="SharedSignalsClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class SharedSignalsClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SharedSignalsClient"/> over a pooled HttpClient from the factory, with options
    /// from <paramref name="configure"/> (bind <see cref="SharedSignalsClientOptions.SectionName"/> yourself
    /// to read them from configuration). Access tokens are shared by every client resolved.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the issuer and the credentials.</param>
    /// <returns>The HttpClient's builder, for handlers and resilience.</returns>
    public static IHttpClientBuilder AddSharedSignalsClient(this IServiceCollection services, Action<SharedSignalsClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SharedSignalsClientOptions>().Configure(configure);
        services.TryAddSingleton<AccessTokenCache>();
        return services.AddHttpClient<SharedSignalsClient>();
    }
}
