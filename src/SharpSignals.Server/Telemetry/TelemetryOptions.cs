using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Telemetry;

/// <summary>The <c>SharpSignals:Telemetry</c> section: the Prometheus scrape endpoint, trace context sent to receivers, and how fresh the backlog gauges are.</summary>
internal sealed record TelemetryOptions : IValidatableObject
{
    public const string Section = "SharpSignals:Telemetry";

    /// <summary>The Prometheus scrape endpoint (docs/OPERATIONS.md, "Metrics and traces").</summary>
    public PrometheusOptions Prometheus { get; init; } = new();

    /// <summary>
    /// Whether a push carries the W3C <c>traceparent</c> of its delivery span. Off by default: a
    /// receiver is another party, and the header tells it this server's trace ids.
    /// </summary>
    public bool PushTraceParent { get; init; }

    /// <summary>
    /// Whether the metrics include the framework's own instruments: ASP.NET Core and Kestrel,
    /// HttpClient, the .NET runtime and Npgsql. On by default; measured on push ingest they cost about
    /// 140 µs of server CPU per received SET (docs/BENCHMARKS.md, "What telemetry costs"), so a node
    /// that needs the throughput more than per-request HTTP metrics can turn them off. The
    /// <c>sharpsignals.*</c> metrics stay.
    /// </summary>
    public bool FrameworkMetrics { get; init; } = true;

    /// <summary>
    /// How old the per-stream backlog readings may be when a scrape asks for them: the store is read
    /// at most once per this many seconds, however often the gauges are collected.
    /// </summary>
    [Range(1, 3600)]
    public double BacklogRefreshSeconds { get; init; } = 15;

    /// <summary>Data annotations do not look into nested objects: the Prometheus settings are checked here.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Prometheus, new ValidationContext(Prometheus), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult("Prometheus: " + r.ErrorMessage, [.. r.MemberNames.Select(m => "Prometheus." + m)]));
    }
}

/// <summary>Where and to whom <c>/metrics</c> answers.</summary>
internal sealed record PrometheusOptions
{
    /// <summary>Whether the server serves Prometheus text at <see cref="Path"/>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The path of the scrape endpoint.</summary>
    [RegularExpression("^/[A-Za-z0-9/_.-]*$")]
    public string Path { get; init; } = "/metrics";

    /// <summary>Whether a scrape needs the admin scope (the admin token or an admin access token).</summary>
    public bool RequireAdminToken { get; init; }

    /// <summary>
    /// When set, the endpoint answers only on connections to this local port (list it in
    /// <c>--urls</c> too) and is 404 on every other, so it can be kept off the public listener.
    /// </summary>
    [Range(1, 65535)]
    public int? Port { get; init; }
}
