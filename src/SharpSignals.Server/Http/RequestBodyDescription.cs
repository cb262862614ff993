namespace SharpSignals.Server.Http;

/// <summary>
/// The body an endpoint reads, for the OpenAPI document only. The handlers read their bodies
/// themselves (<see cref="JsonBody"/>, a form, a SET) and answer a wrong <c>Content-Type</c> in
/// their standard's own error shape; <c>Accepts</c> metadata would make routing answer 415 first.
/// </summary>
internal sealed record RequestBodyDescription(Type Type, string ContentType);

/// <summary>A query parameter an endpoint reads itself from the request, for the OpenAPI document only.</summary>
internal sealed record QueryParameterDescription(string Name, string Description, bool IsInteger = false);

internal static class RequestBodyDescriptions
{
    /// <summary>Shows <typeparamref name="T"/> as the endpoint's request body in the OpenAPI document.</summary>
    public static RouteHandlerBuilder Reads<T>(this RouteHandlerBuilder endpoint, string contentType = "application/json") =>
        endpoint.WithMetadata(new RequestBodyDescription(typeof(T), contentType));

    /// <summary>Shows the optional query parameter <paramref name="name"/> in the OpenAPI document.</summary>
    public static RouteHandlerBuilder ReadsQuery(this RouteHandlerBuilder endpoint, string name, string description, bool isInteger = false) =>
        endpoint.WithMetadata(new QueryParameterDescription(name, description, isInteger));
}
