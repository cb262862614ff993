namespace SharpSignals.Server.Http;

/// <summary>
/// Keeps endpoints to connections made to one local port (a management listener also listed in
/// <c>--urls</c>): on any other they are 404, as if they did not exist. The local port of the
/// connection decides, not the Host header, which a client chooses.
/// </summary>
internal static class LocalPortOnly
{
    public static TBuilder OnlyOnLocalPort<TBuilder>(this TBuilder builder, int? port)
        where TBuilder : IEndpointConventionBuilder
    {
        if (port is { } only)
        {
            builder.Add(endpoint =>
            {
                var answer = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = context => context.Connection.LocalPort == only
                    ? answer(context)
                    : Results.NotFound().ExecuteAsync(context);
            });
        }

        return builder;
    }
}
