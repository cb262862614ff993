namespace SharpSignals.Server.ApiDocs;

/// <summary>The <c>SharpSignals:ApiDocs</c> section (docs/CONFIGURATION.md, "API document").</summary>
internal sealed record ApiDocsOptions
{
    public const string Section = "SharpSignals:ApiDocs";

    /// <summary>Serve the OpenAPI document at <c>/openapi/v1.json</c> and the reference page at <c>/docs</c>.</summary>
    public bool Enabled { get; init; } = true;
}
