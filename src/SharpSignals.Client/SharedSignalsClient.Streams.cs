using System.Text.Json.Nodes;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Client;

/// <summary>The stream management API (SSF 1.0 §8.1); answers come back as the transmitter's JSON.</summary>
public sealed partial class SharedSignalsClient
{
    /// <summary>SSF 1.0 §8.1.1.1: creates a stream; the answer is its configuration (see <see cref="StreamConfiguration.Read(System.Text.Json.Nodes.JsonNode?, string)"/>).</summary>
    /// <param name="configuration">The receiver-supplied members (<c>delivery</c>, <c>events_requested</c>, ...).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The created stream's configuration.</returns>
    public async Task<JsonNode?> CreateStreamAsync(JsonObject configuration, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Post, Endpoint(Metadata?.ConfigurationEndpoint, "configuration_endpoint", "ssf/streams"), configuration, "create the stream", cancellationToken).ConfigureAwait(false);

    /// <summary>SSF 1.0 §8.1.1.2: reads one stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>Its configuration.</returns>
    public async Task<JsonNode?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Get, WithQuery(Endpoint(Metadata?.ConfigurationEndpoint, "configuration_endpoint", "ssf/streams"), "stream_id", streamId), null, "read the stream", cancellationToken).ConfigureAwait(false);

    /// <summary>SSF 1.0 §8.1.1.2 without a <c>stream_id</c>: every stream of the caller.</summary>
    /// <param name="project">On a SharpSignals server, the project whose streams the admin lists; null for the caller's.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The array of configurations.</returns>
    public async Task<JsonNode?> ListStreamsAsync(string? project = null, CancellationToken cancellationToken = default)
    {
        var url = Endpoint(Metadata?.ConfigurationEndpoint, "configuration_endpoint", "ssf/streams");
        return await JsonAsync(HttpMethod.Get, project is null ? url : WithQuery(url, "project", project), null, "list the streams", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SSF 1.0 §8.1.1.3 (PATCH): changes the members given; null when the transmitter will apply it later (202).</summary>
    /// <param name="changes">The <c>stream_id</c> and the members to change.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The updated configuration, or null.</returns>
    public Task<JsonNode?> UpdateStreamAsync(JsonObject changes, CancellationToken cancellationToken = default) =>
        ChangeStreamAsync(HttpMethod.Patch, changes, "update the stream", cancellationToken);

    /// <summary>SSF 1.0 §8.1.1.4 (PUT): replaces the receiver-supplied members; null when the transmitter will apply it later (202).</summary>
    /// <param name="configuration">The <c>stream_id</c> and every receiver-supplied member.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The replaced configuration, or null.</returns>
    public Task<JsonNode?> ReplaceStreamAsync(JsonObject configuration, CancellationToken cancellationToken = default) =>
        ChangeStreamAsync(HttpMethod.Put, configuration, "replace the stream", cancellationToken);

    /// <summary>SSF 1.0 §8.1.1.5: deletes a stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>A task that completes once the transmitter answered.</returns>
    public async Task DeleteStreamAsync(string streamId, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Delete, WithQuery(Endpoint(Metadata?.ConfigurationEndpoint, "configuration_endpoint", "ssf/streams"), "stream_id", streamId), null, "delete the stream", cancellationToken).ConfigureAwait(false);

    /// <summary>SSF 1.0 §8.1.2.1: the stream's status, <c>{"stream_id", "status", "reason"?}</c>.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The status object.</returns>
    public async Task<JsonNode?> GetStatusAsync(string streamId, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Get, WithQuery(Endpoint(Metadata?.StatusEndpoint, "status_endpoint", "ssf/status"), "stream_id", streamId), null, "read the stream's status", cancellationToken).ConfigureAwait(false);

    /// <summary>SSF 1.0 §8.1.2.2: changes the stream's status; null when the transmitter will decide later (202).</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="status"><c>enabled</c>, <c>paused</c> or <c>disabled</c>.</param>
    /// <param name="reason">Why, for the transmitter's operator; left out when null.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The status object now, or null.</returns>
    public async Task<JsonNode?> SetStatusAsync(string streamId, string status, string? reason = null, CancellationToken cancellationToken = default)
    {
        var url = Endpoint(Metadata?.StatusEndpoint, "status_endpoint", "ssf/status");
        var answer = await SendAsync(new SharedSignalsRequest(HttpMethod.Post, url)
        {
            Body = new JsonObject { ["stream_id"] = streamId, ["status"] = status, ["reason"] = reason },
            Action = "change the stream's status",
        }, cancellationToken).ConfigureAwait(false);
        return answer.Status == 202 ? null : Json(answer, url);
    }

    /// <summary>SSF 1.0 §8.1.3.2: adds a subject to the stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="subject">The subject identifier (RFC 9493).</param>
    /// <param name="verified">Whether the receiver verified the subject; left out when null.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>A task that completes once the transmitter answered.</returns>
    public async Task AddSubjectAsync(string streamId, JsonNode subject, bool? verified = null, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Post, Endpoint(Metadata?.AddSubjectEndpoint, "add_subject_endpoint", "ssf/subjects/add"),
            new JsonObject { ["stream_id"] = streamId, ["subject"] = subject.DeepClone(), ["verified"] = verified }, "add the subject", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="AddSubjectAsync(string, JsonNode, bool?, CancellationToken)"/>
    public Task AddSubjectAsync(string streamId, SubjectIdentifier subject, bool? verified = null, CancellationToken cancellationToken = default) =>
        AddSubjectAsync(streamId, SubjectJson(subject), verified, cancellationToken);

    /// <summary>SSF 1.0 §8.1.3.3: removes a subject from the stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="subject">The subject identifier (RFC 9493).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>A task that completes once the transmitter answered.</returns>
    public async Task RemoveSubjectAsync(string streamId, JsonNode subject, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Post, Endpoint(Metadata?.RemoveSubjectEndpoint, "remove_subject_endpoint", "ssf/subjects/remove"),
            new JsonObject { ["stream_id"] = streamId, ["subject"] = subject.DeepClone() }, "remove the subject", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="RemoveSubjectAsync(string, JsonNode, CancellationToken)"/>
    public Task RemoveSubjectAsync(string streamId, SubjectIdentifier subject, CancellationToken cancellationToken = default) =>
        RemoveSubjectAsync(streamId, SubjectJson(subject), cancellationToken);

    /// <summary>SSF 1.0 §8.1.4.2: asks for a verification event carrying <paramref name="state"/>.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="state">Echoed in the verification event; left out when null.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>A task that completes once the transmitter answered.</returns>
    public async Task VerifyAsync(string streamId, string? state = null, CancellationToken cancellationToken = default) =>
        await JsonAsync(HttpMethod.Post, Endpoint(Metadata?.VerificationEndpoint, "verification_endpoint", "ssf/verify"),
            new JsonObject { ["stream_id"] = streamId, ["state"] = state }, "request a verification", cancellationToken).ConfigureAwait(false);

    private async Task<JsonNode?> ChangeStreamAsync(HttpMethod method, JsonObject body, string action, CancellationToken cancellationToken)
    {
        var url = Endpoint(Metadata?.ConfigurationEndpoint, "configuration_endpoint", "ssf/streams");
        var answer = await SendAsync(new SharedSignalsRequest(method, url) { Body = body, Action = action }, cancellationToken).ConfigureAwait(false);
        return answer.Status == 202 ? null : Json(answer, url);
    }

    private async Task<JsonNode?> JsonAsync(HttpMethod method, string url, JsonObject? body, string action, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(new SharedSignalsRequest(method, url) { Body = body, Action = action }, cancellationToken).ConfigureAwait(false);
        return Json(answer, url);
    }

    /// <summary>The discovered endpoint; a SharpSignals server's path while nothing is discovered; a failure when the metadata has none.</summary>
    private string Endpoint(string? advertised, string member, string sharpSignalsPath) =>
        advertised ?? (Metadata is null
            ? sharpSignalsPath
            : throw new SharedSignalsClientException($"{Options.Issuer ?? Metadata.Issuer} advertises no {member}."));

    private static JsonNode SubjectJson(SubjectIdentifier subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return JsonNode.Parse(subject.ToJson())!;
    }
}
