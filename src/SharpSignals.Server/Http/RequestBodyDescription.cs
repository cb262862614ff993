namespace SharpSignals.Server.Http;

/// <summary>
/// The body an endpoint reads, for the OpenAPI document only. The handlers read their bodies
/// themselves (<see cref="JsonBody"/>, a form, a SET) and answer a wrong <c>Content-Type</c> in
/// their standard's own error shape; <c>Accepts</c> metadata would make routing answer 415 first.
/// </summary>
internal sealed record RequestBodyDescription(Type Type, string ContentType);

internal static class RequestBodyDescriptions
{
    /// <summary>Shows <typeparamref name="T"/> as the endpoint's request body in the OpenAPI document.</summary>
    public static RouteHandlerBuilder Reads<T>(this RouteHandlerBuilder endpoint, string contentType = "application/json") =>
        endpoint.WithMetadata(new RequestBodyDescription(typeof(T), contentType));
}
