using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.ApiDocs;

/// <summary>
/// What every endpoint shares, added once: the title and version, the bearer scheme, RFC 6750 §3
/// answers (401 and 403 with <c>WWW-Authenticate</c>) on each endpoint that takes a token, and 503
/// with <c>Retry-After</c> while the store cannot be used (docs/API.md, "Errors"). An endpoint that
/// API Explorer does not describe (a health check, the WebSocket endpoint, which takes any method)
/// is added from the answers its mapping declares; request bodies come from
/// <see cref="RequestBodyDescription"/>.
/// </summary>
internal sealed class ApiDocumentTransformer(EndpointDataSource endpoints) : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";

    private const string ProblemSchema = nameof(ProblemDetails);

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "SharpSignals",
            Version = typeof(ApiDocumentTransformer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
            Description = "An OpenID Shared Signals Framework 1.0 transmitter, receiver and router: SETs (RFC 8417) pushed (RFC 8935) and polled (RFC 8936). The contract in prose is docs/API.md.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "RFC 6750 §2.1, in the Authorization header only: the admin token, an access token from /oauth/token, a stream credential (ssc_..., at its own stream's poll endpoint), or a JWT from the organisation's identity provider when one is set.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(ProblemSchema))
        {
            document.AddComponent(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }

        document.Paths ??= [];
        foreach (var endpoint in endpoints.Endpoints.Where(ApiPaths.IsDescribed).Cast<RouteEndpoint>())
        {
            var path = ApiPaths.Of(endpoint.RoutePattern);
            if (document.Paths.TryGetValue(path, out var found) && found is not OpenApiPathItem)
            {
                continue;
            }

            var item = (OpenApiPathItem?)found ?? new OpenApiPathItem();
            document.Paths[path] = item;
            foreach (var method in ApiPaths.MethodsOf(endpoint).Select(name => HttpMethod.Parse(name)))
            {
                if (item.Operations?.GetValueOrDefault(method) is not { } operation)
                {
                    operation = await DescribeAsync(endpoint, document, context, cancellationToken);
                    item.AddOperation(method, operation);
                }

                await AddRequestBodyAsync(endpoint, operation, document, context, cancellationToken);
                AddQueryParameters(endpoint, operation);
                AddCommonAnswers(endpoint, operation, document);
            }
        }
    }

    /// <summary>An operation from the answers an endpoint's mapping declares, for one API Explorer passed over.</summary>
    private static async Task<OpenApiOperation> DescribeAsync(RouteEndpoint endpoint, OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var operation = new OpenApiOperation { Summary = endpoint.DisplayName, Responses = [] };
        foreach (var answer in endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
        {
            var response = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(answer.StatusCode) };
            if (answer.Type is { } type && type != typeof(void))
            {
                IOpenApiSchema schema = typeof(ProblemDetails).IsAssignableFrom(type)
                    ? new OpenApiSchemaReference(ProblemSchema, document)
                    : await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
                response.Content = answer.ContentTypes.DefaultIfEmpty("application/json")
                    .ToDictionary(contentType => contentType, _ => new OpenApiMediaType { Schema = schema });
            }

            operation.Responses[answer.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }

        return operation;
    }

    /// <summary>The query parameters the endpoint's mapping says it reads (<see cref="QueryParameterDescription"/>), all optional.</summary>
    private static void AddQueryParameters(RouteEndpoint endpoint, OpenApiOperation operation)
    {
        foreach (var query in endpoint.Metadata.GetOrderedMetadata<QueryParameterDescription>())
        {
            operation.Parameters ??= [];
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Query && p.Name == query.Name))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = false,
                Description = query.Description,
                Schema = new OpenApiSchema { Type = query.IsInteger ? JsonSchemaType.Integer : JsonSchemaType.String },
            });
        }
    }

    /// <summary>The body the endpoint's mapping says it reads (<see cref="RequestBodyDescription"/>), as a schema in the components.</summary>
    private static async Task AddRequestBodyAsync(RouteEndpoint endpoint, OpenApiOperation operation, OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not null || endpoint.Metadata.GetMetadata<RequestBodyDescription>() is not { } body)
        {
            return;
        }

        IOpenApiSchema schema;
        if (body.Type == typeof(string))
        {
            schema = new OpenApiSchema { Type = JsonSchemaType.String };
        }
        else
        {
            if (!document.Components!.Schemas!.ContainsKey(body.Type.Name))
            {
                document.AddComponent(body.Type.Name, await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken));
            }

            schema = new OpenApiSchemaReference(body.Type.Name, document);
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
        };
    }

    private static void AddCommonAnswers(RouteEndpoint endpoint, OpenApiOperation operation, OpenApiDocument document)
    {
        operation.Responses ??= [];
        if (endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
            operation.Responses.TryAdd("401", Challenge("No token, or an unknown, expired or revoked one (RFC 6750 §3.1: invalid_token)."));
            operation.Responses.TryAdd("403", Challenge("The token lacks the scope this endpoint takes (RFC 6750 §3.1: insufficient_scope, naming the scope)."));
        }

        operation.Responses.TryAdd("503", new OpenApiResponse
        {
            Description = "The store cannot be used just now; nothing was stored. Send again after Retry-After.",
            Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } } },
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
        });
    }

    /// <summary>An RFC 6750 §3 answer: no body, the reason in <c>WWW-Authenticate</c>.</summary>
    private static OpenApiResponse Challenge(string description) => new()
    {
        Description = description,
        Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["WWW-Authenticate"] = new OpenApiHeader
            {
                Description = "Bearer, with error and error_description when a token was given (RFC 6750 §3).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        },
    };
}
