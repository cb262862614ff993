using System.Text;
using Microsoft.AspNetCore.Routing;

namespace SharpSignals.Tests.Support;

/// <summary>One mapped route and method, as the fuzzer targets it: <c>/ssf/poll/{streamId}</c> with its parameter names.</summary>
internal sealed record FuzzEndpoint(string Method, string Pattern, IReadOnlyList<string> Parameters)
{
    /// <summary>
    /// Every route endpoint the application mapped, with each method it takes (GET and POST for one
    /// that takes any, such as <c>/ws</c>), so that a new endpoint is fuzzed without a change here.
    /// </summary>
    public static IReadOnlyList<FuzzEndpoint> From(EndpointDataSource endpoints) =>
        [.. endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint =>
            {
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } taken ? taken : ["GET", "POST"];
                var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
                var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToArray();
                return methods.Select(method => new FuzzEndpoint(method, pattern, parameters));
            })
            .Distinct()
            .OrderBy(e => e.Pattern, StringComparer.Ordinal)
            .ThenBy(e => e.Method, StringComparer.Ordinal)];
}

/// <summary>A generated request: everything needed to send it again, and to print it when it fails.</summary>
internal sealed record FuzzRequest(int Seed, int Index, string Method, string PathAndQuery, FuzzCredential Credential, string? ContentType, byte[]? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>The request as a reader can replay it: method, target, credential kind, headers and the body (escaped, cut at 600 characters).</summary>
    public string Describe()
    {
        var text = new StringBuilder()
            .Append("seed ").Append(Seed).Append(" request ").Append(Index).Append(": ")
            .Append(Method).Append(' ').Append(PathAndQuery)
            .Append(" [credential: ").Append(Credential.Label).Append(']');
        if (ContentType is not null)
        {
            text.Append(" [Content-Type: ").Append(ContentType).Append(']');
        }

        foreach (var (name, value) in Headers)
        {
            text.Append(" [").Append(name).Append(": ").Append(Escape(value, 200)).Append(']');
        }

        if (Body is not null)
        {
            text.Append(" body (").Append(Body.Length).Append(" bytes): ").Append(Printable(Body, 600));
        }

        return text.ToString();
    }

    public static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>Bytes as escaped text when they are UTF-8, else as hex, cut at <paramref name="max"/> characters.</summary>
    public static string Printable(byte[] bytes, int max)
    {
        try
        {
            return Escape(Strict.GetString(bytes), max);
        }
        catch (DecoderFallbackException)
        {
            var hex = Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, max / 2));
            return "(not UTF-8) hex " + hex + (bytes.Length > max / 2 ? "..." : "");
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Escape(string value, int max)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > max ? value[..max] : value)
        {
            if (c is < ' ' or > '~')
            {
                text.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return value.Length > max ? text.Append("...").ToString() : text.ToString();
    }
}
