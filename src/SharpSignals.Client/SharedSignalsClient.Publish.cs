using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Client;

/// <summary><c>POST /events</c> of a SharpSignals server: the server signs the event as its issuer and routes it to the project's streams.</summary>
public sealed partial class SharedSignalsClient
{
    /// <summary>Publishes one event about <paramref name="subject"/>.</summary>
    /// <param name="securityEvent">The event, a type of the catalog (such as <c>SessionRevoked</c>).</param>
    /// <param name="subject">The subject, sent as <c>sub_id</c> (SSF 1.0 §4.1.2).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The event's <c>jti</c> and how many streams it was routed to.</returns>
    /// <exception cref="SharedSignalsClientException">The server refused the event (400 naming every problem) or is busy (503).</exception>
    public Task<PublishResult> PublishAsync(SecurityEvent securityEvent, SubjectIdentifier subject, CancellationToken cancellationToken = default) =>
        PublishAsync(new PublishRequest([securityEvent], subject), cancellationToken);

    /// <summary>Publishes the events of <paramref name="request"/> as one SET.</summary>
    /// <param name="request">The events, their subject, and optionally <c>txn</c> and the time of the event.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The event's <c>jti</c> and how many streams it was routed to.</returns>
    /// <exception cref="SharedSignalsClientException">The server refused the event (400 naming every problem) or is busy (503).</exception>
    public async Task<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = await SendAsync(new SharedSignalsRequest(HttpMethod.Post, EventsPath(request.Project))
        {
            Utf8Body = request.ToUtf8Json(),
            Action = "publish the event",
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(answer.Body, ClientJsonContext.Default.PublishResult)
                ?? throw new SharedSignalsClientException("The server answered the publish with null.");
        }
        catch (JsonException ex)
        {
            throw new SharedSignalsClientException($"The server answered the publish with something other than {{\"jti\", \"streams\"}}: {ex.Message}", ex);
        }
    }

    /// <summary>Publishes a body written by hand, <c>{"events", "sub_id", "txn"?, "toe"?}</c>, and returns the server's answer as it came.</summary>
    /// <param name="body">The body.</param>
    /// <param name="project">The project to publish into (the admin only; a client publishes into its own).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The answer, <c>{"jti", "streams"}</c>.</returns>
    public async Task<JsonNode?> PublishAsync(JsonObject body, string? project = null, CancellationToken cancellationToken = default)
    {
        var url = EventsPath(project);
        var answer = await SendAsync(new SharedSignalsRequest(HttpMethod.Post, url) { Body = body, Action = "publish the event" }, cancellationToken).ConfigureAwait(false);
        return Json(answer, url);
    }

    private static string EventsPath(string? project) => project is null ? "events" : WithQuery("events", "project", project);
}

/// <summary>One SET to publish: its events (usually one), its subject and the optional <c>txn</c> and <c>toe</c>.</summary>
/// <param name="Events">The events, of distinct types.</param>
/// <param name="Subject">The subject, sent as <c>sub_id</c>.</param>
public sealed record PublishRequest(IReadOnlyList<SecurityEvent> Events, SubjectIdentifier Subject)
{
    /// <summary>The transaction identifier (SSF 1.0 §4.1.8) that ties related events together.</summary>
    public string? Txn { get; init; }

    /// <summary>When the event happened (SSF 1.0 §4.1.7, <c>toe</c>).</summary>
    public DateTimeOffset? TimeOfEvent { get; init; }

    /// <summary>The project to publish into (the admin only; a client publishes into its own).</summary>
    public string? Project { get; init; }

    internal byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("events");
            foreach (var securityEvent in Events)
            {
                writer.WritePropertyName(securityEvent.EventType);
                EventCatalog.WritePayload(writer, securityEvent);
            }

            writer.WriteEndObject();
            writer.WritePropertyName("sub_id");
            Subject.WriteTo(writer);
            if (Txn is not null)
            {
                writer.WriteString("txn", Txn);
            }

            if (TimeOfEvent is { } toe)
            {
                writer.WriteNumber("toe", toe.ToUnixTimeSeconds());
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>The answer to a publish (202): the event's <c>jti</c> and the number of streams it was routed to (0 is legal, and visible).</summary>
/// <param name="Jti">The SET's identifier.</param>
/// <param name="Streams">How many of the project's streams it was routed to.</param>
public sealed record PublishResult(
    [property: System.Text.Json.Serialization.JsonPropertyName("jti")] string Jti,
    [property: System.Text.Json.Serialization.JsonPropertyName("streams")] int Streams);
