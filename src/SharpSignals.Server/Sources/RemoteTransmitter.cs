using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Sources;

/// <summary>
/// This server as an SSF receiver calling a source transmitter's management API (SSF 1.0 §8.1):
/// stream configuration, status and verification, over the guarded client, with the source's
/// credential. Every failure, from the network to an answer that cannot be used, is a
/// <see cref="SourceException"/>.
/// </summary>
internal sealed class RemoteTransmitter(SourceHttp http, SourceTokens tokens)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>SSF 1.0 §8.1.1.1: creates the stream; the answer is read but its checks are the caller's to act on.</summary>
    public async Task<(RemoteStream? Stream, string? StreamId, IReadOnlyList<string> Errors)> CreateStreamAsync(SourceConfiguration source, JsonObject body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(source, HttpMethod.Post, source.ConfigurationEndpoint!, body, "create the stream", cancellationToken);
        using var document = Parse(answer, source.ConfigurationEndpoint!);
        return RemoteStream.Read(document.RootElement, source.Issuer);
    }

    /// <summary>SSF 1.0 §8.1.1.2: reads the stream this server created at the source.</summary>
    public async Task<RemoteStream> ReadStreamAsync(SourceConfiguration source, CancellationToken cancellationToken)
    {
        var url = WithStreamId(source.ConfigurationEndpoint!, source.StreamId!);
        var answer = await SendAsync(source, HttpMethod.Get, url, null, "read the stream", cancellationToken);
        using var document = Parse(answer, url);
        return Checked(document.RootElement, source, url);
    }

    /// <summary>SSF 1.0 §8.1.1.3 (PATCH) and §8.1.1.4 (PUT); null when the source accepted the change for later (202).</summary>
    public async Task<RemoteStream?> UpdateStreamAsync(SourceConfiguration source, JsonObject body, bool replace, CancellationToken cancellationToken)
    {
        var url = source.ConfigurationEndpoint!;
        var answer = await SendAsync(source, replace ? HttpMethod.Put : HttpMethod.Patch, url, body, replace ? "replace the stream" : "update the stream", cancellationToken);
        if (answer.Status == StatusCodes.Status202Accepted)
        {
            return null;
        }

        using var document = Parse(answer, url);
        return Checked(document.RootElement, source, url);
    }

    /// <summary>SSF 1.0 §8.1.1.5; a stream the source no longer knows (404) is as good as deleted.</summary>
    public async Task DeleteStreamAsync(SourceConfiguration source, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(source, HttpMethod.Delete, WithStreamId(source.ConfigurationEndpoint!, source.StreamId!), null, "delete the stream", cancellationToken);
        }
        catch (SourceException ex) when (ex.RemoteStatus == StatusCodes.Status404NotFound)
        {
            return;
        }
    }

    /// <summary>SSF 1.0 §8.1.2.2: the status the source now reports, or null when it will decide later (202).</summary>
    public async Task<string?> SetStatusAsync(SourceConfiguration source, string status, string? reason, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["stream_id"] = source.StreamId, ["status"] = status };
        if (reason is not null)
        {
            body["reason"] = reason;
        }

        var url = source.StatusEndpoint!;
        var answer = await SendAsync(source, HttpMethod.Post, url, body, "change the stream's status", cancellationToken);
        if (answer.Status == StatusCodes.Status202Accepted)
        {
            return null;
        }

        using var document = Parse(answer, url);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var answered) && answered.ValueKind == JsonValueKind.String
            ? answered.GetString()
            : throw new SourceException($"{url} answered the status change without a status.");
    }

    /// <summary>SSF 1.0 §8.1.4.2: asks for a verification event carrying <paramref name="state"/>.</summary>
    public async Task RequestVerificationAsync(SourceConfiguration source, string state, CancellationToken cancellationToken) =>
        await SendAsync(source, HttpMethod.Post, source.VerificationEndpoint!, new JsonObject { ["stream_id"] = source.StreamId, ["state"] = state }, "request a verification", cancellationToken);

    private static RemoteStream Checked(JsonElement root, SourceConfiguration source, string url)
    {
        var (stream, _, errors) = RemoteStream.Read(root, source.Issuer);
        if (stream is not null && stream.StreamId != source.StreamId)
        {
            errors.Add($"stream_id is '{stream.StreamId}', not '{source.StreamId}'");
        }

        return errors.Count == 0 ? stream! : throw new SourceException($"{url} answered a stream configuration this server cannot accept: {string.Join("; ", errors)}.");
    }

    private async Task<RemoteAnswer> SendAsync(SourceConfiguration source, HttpMethod method, string url, JsonObject? body, string action, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var authorization = await tokens.AuthorizationAsync(source, renew: attempt > 0, cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(CallTimeout);
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            try
            {
                using var response = await http.Client.SendAsync(request, deadline.Token);

                // RFC 6750 §3.1: an expired or revoked access token is answered 401; one new token, one more try.
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && source.ClientId is not null)
                {
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync(deadline.Token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new SourceException($"Could not {action}: {method} {url} answered HTTP {(int)response.StatusCode}{Detail(text)}.")
                    {
                        RemoteStatus = (int)response.StatusCode,
                        RetryAfter = response.Headers.RetryAfter?.Delta,
                    };
                }

                return new RemoteAnswer((int)response.StatusCode, text);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SourceException($"Could not {action}: {method} {url} failed: {ex.Message}", ex);
            }
        }
    }

    private static JsonDocument Parse(RemoteAnswer answer, string url)
    {
        try
        {
            return JsonDocument.Parse(answer.Text);
        }
        catch (JsonException ex)
        {
            throw new SourceException($"{url} answered HTTP {answer.Status} with a body that is not JSON.", ex);
        }
    }

    /// <summary>What the source said was wrong (RFC 9457 <c>detail</c>, or an OAuth <c>error</c>), briefly.</summary>
    private static string Detail(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var said = root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("detail", out var detail) ? detail.ToString()
                : root.TryGetProperty("error_description", out var description) ? description.ToString()
                : root.TryGetProperty("error", out var error) ? error.ToString()
                : null;
            return said is null ? "" : $": {(said.Length > 300 ? said[..300] + "..." : said)}";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string WithStreamId(string url, string streamId) =>
        $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}stream_id={Uri.EscapeDataString(streamId)}";

    private sealed record RemoteAnswer(int Status, string Text);
}
