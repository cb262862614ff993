namespace SharpSignals.Server.OperatorConsole.History;

internal static class DeliveryHistoryServices
{
    /// <summary>The console charts' data (<see cref="DeliveryHistory"/>): one per node, counting from the server's instruments.</summary>
    public static IServiceCollection AddDeliveryHistory(this IServiceCollection services)
    {
        services.AddSingleton<DeliveryHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryHistory>());
        return services;
    }
}
