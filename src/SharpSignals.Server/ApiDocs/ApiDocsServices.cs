using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using SharpSignals.Server.Admin;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Discovery;
using SharpSignals.Server.Intake;
using SharpSignals.Server.Realtime;
using SharpSignals.Server.Sources;
using SharpSignals.Server.StreamApi;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.ApiDocs;

/// <summary>
/// The OpenAPI 3.1 document of every endpoint (<c>/openapi/v1.json</c>) and a reference page
/// (<c>/docs</c>) built from it. Each endpoint declares its bodies and answers where it is mapped
/// (<c>Reads</c>, <c>Produces</c>); this folder adds what is common to all of them.
/// </summary>
internal static class ApiDocsServices
{
    public const string DocumentName = "v1";

    public const string DocumentPattern = "/openapi/{documentName}.json";

    public const string ReferencePage = "/docs";

    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddOptions<ApiDocsOptions>().BindConfiguration(ApiDocsOptions.Section);

        // The document's schemas come from the same source-generated contracts the endpoints write
        // with, so a member's JSON name and shape are what goes over the wire; types in no context
        // (the request shapes) fall back to reflection, which reads the same attributes.
        services.Configure<JsonOptions>(json =>
        {
            // The bodies are read strictly (JsonBody): a number given as a string is refused, so the
            // schemas must not offer one.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            var chain = json.SerializerOptions.TypeInfoResolverChain;
            chain.Insert(0, StreamJsonContext.Default);
            chain.Insert(1, StreamApiJsonContext.Default);
            chain.Insert(2, AuthJsonContext.Default);
            chain.Insert(3, PublishJsonContext.Default);
            chain.Insert(4, SourceJsonContext.Default);
            chain.Insert(5, RealtimeJsonContext.Default);
            chain.Insert(6, DiscoveryJsonContext.Default);
            chain.Insert(7, AdminApiJsonContext.Default);
            chain.Insert(8, AdminEventJsonContext.Default);
            chain.Insert(9, AdminJsonContext.Default);
        });

        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer<ApiDocumentTransformer>();
        });
        return services;
    }

    /// <summary>The document and the reference page, unless <c>SharpSignals:ApiDocs:Enabled</c> is false.</summary>
    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<ApiDocsOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapOpenApi(DocumentPattern).AllowAnonymous();

        // Scalar's page script is inside the package and served from here; its default fonts and
        // telemetry would reach Scalar's CDN, so both are off and the page works without the internet.
        app.MapScalarApiReference(ReferencePage, page => page
                .WithTitle("SharpSignals API")
                .WithOpenApiRoutePattern(DocumentPattern)
                .DisableDefaultFonts()
                .DisableTelemetry())
            .AllowAnonymous();
        return app;
    }
}
