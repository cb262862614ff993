namespace SharpSignals.Server.Outbound;

internal static class OutboundServices
{
    /// <summary>The guard every outbound request goes through (<see cref="OutboundAddressPolicy"/>, <see cref="GuardedHttpHandler"/>).</summary>
    public static IServiceCollection AddOutbound(this IServiceCollection services)
    {
        services.AddSingleton<OutboundAddressPolicy>();
        return services;
    }
}
