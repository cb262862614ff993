namespace SharpSignals.Server.Intake;

internal static class IntakeServices
{
    /// <summary>Publishing events, and the gate every incoming event passes, published or sent by a source.</summary>
    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
        services.AddSingleton<IngestGate>();
        services.AddSingleton<EventPublisher>();
        return services;
    }
}
