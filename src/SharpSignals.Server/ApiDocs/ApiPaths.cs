using Microsoft.AspNetCore.Routing.Patterns;

namespace SharpSignals.Server.ApiDocs;

/// <summary>Where an endpoint appears in the OpenAPI document.</summary>
internal static class ApiPaths
{
    /// <summary>The path template of a route: parameters as <c>{name}</c>, without constraints or catch-all stars (OpenAPI 3.1 §4.8.8.1).</summary>
    public static string Of(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "",
        }))));

    /// <summary>The methods an endpoint answers; one that takes any method (a WebSocket) is shown as GET.</summary>
    public static IReadOnlyList<string> MethodsOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } methods ? [.. methods.HttpMethods] : [HttpMethods.Get];

    /// <summary>Whether the endpoint asks to stay out of the document (the document and reference page themselves).</summary>
    public static bool IsDescribed(Endpoint endpoint) =>
        endpoint is RouteEndpoint && endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true };
}
