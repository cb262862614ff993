using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Http;

/// <summary>The <c>SharpSignals:Ingest</c> section: how many events are taken in at once.</summary>
internal sealed record IngestOptions
{
    public const string Section = "SharpSignals:Ingest";

    /// <summary>
    /// Publishes and received pushes processed at once; the rest wait their turn in order. On a busy
    /// machine this keeps the CPU queue short, so that delivery keeps its share instead of falling
    /// behind an unbounded crowd of requests. 0 turns the limit off.
    /// </summary>
    [Range(0, 10000)]
    public int MaxConcurrent { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>Requests that may wait for a turn; beyond that they get 503 with Retry-After.</summary>
    [Range(0, 1000000)]
    public int MaxQueued { get; init; } = 10000;
}

/// <summary>The concurrency limit on the two ways events come in: <c>POST /events</c> and <c>POST /ssf/push/{id}</c>.</summary>
internal static class IngestLimits
{
    private const string Policy = "ingest";

    public static IServiceCollection AddIngestLimits(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value;
                return options.MaxConcurrent == 0
                    ? RateLimitPartition.GetNoLimiter(Policy)
                    : RateLimitPartition.GetConcurrencyLimiter(Policy, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = options.MaxConcurrent,
                        QueueLimit = options.MaxQueued,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    });
            });

            // A full queue is the server being overloaded, not the request being wrong: come back soon.
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.HttpContext.Response.Headers.RetryAfter = 1.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    public static TBuilder RequireIngestLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireRateLimiting(Policy);
}
