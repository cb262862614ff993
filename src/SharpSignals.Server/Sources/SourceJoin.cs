using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Http;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens;
using SourceStream = SharpSignals.Client.StreamConfiguration;

namespace SharpSignals.Server.Sources;

/// <summary>
/// This server joining a remote SSF transmitter as a receiver (docs/API.md, "Inbound streams"): the
/// inbound stream here is the local copy of a stream it creates there, and what the caller changes
/// here (configuration, status, verification, deletion) is done there too (SSF 1.0 §8.1). Remote
/// failures are failures as values, answered 502 (429 when the source asks to be called later), and
/// change nothing here.
/// </summary>
internal sealed partial class SourceJoin(
    SourceClient remote,
    IStreamStore store,
    StreamCodec codec,
    StreamCatalog catalog,
    OutboundAddressPolicy addresses,
    TimeProvider time,
    ILogger<SourceJoin> logger)
{
    /// <summary>
    /// Reads the source's discovery document (SSF 1.0 §7, issuer checked) and returns the source with
    /// the endpoints this server will call, before anything is created.
    /// </summary>
    public async Task<Outcome<SourceConfiguration>> DiscoverAsync(SourceConfiguration source, string deliveryMethod, CancellationToken cancellationToken)
    {
        if ((await remote.DiscoverAsync(source.Issuer, cancellationToken)).Failed(out var unread, out var metadata))
        {
            LogJoinFailed(logger, source.Issuer, unread.Detail);
            return unread;
        }

        if (source.ConfigurationEndpoint is { } given && given != metadata.ConfigurationEndpoint)
        {
            return Failure.Invalid([$"source.configuration_endpoint is not the configuration_endpoint '{metadata.ConfigurationEndpoint}' that {source.Issuer} advertises"]);
        }

        if (metadata.DeliveryMethodsSupported is { Count: > 0 } methods && !methods.Contains(deliveryMethod))
        {
            return Failure.Invalid([$"{source.Issuer} does not deliver with {deliveryMethod}; it supports {string.Join(", ", methods)}"]);
        }

        var errors = new List<string>();
        if (metadata.ConfigurationEndpoint is null)
        {
            errors.Add("it advertises no configuration_endpoint, so no stream can be created there");
        }

        // The source's own URLs pass the same address rules as every other URL this server calls.
        foreach (var (name, url) in new[] { ("configuration_endpoint", metadata.ConfigurationEndpoint), ("status_endpoint", metadata.StatusEndpoint), ("verification_endpoint", metadata.VerificationEndpoint) })
        {
            if (url is not null && addresses.CheckUrl(url) is { } problem)
            {
                errors.Add($"its {name} {problem}");
            }
        }

        if (errors.Count > 0)
        {
            LogJoinFailed(logger, source.Issuer, string.Join("; ", errors));
            return Failure.BadGateway($"{source.Issuer} cannot be joined: {string.Join("; ", errors)}.");
        }

        return source with
        {
            ConfigurationEndpoint = metadata.ConfigurationEndpoint,
            StatusEndpoint = metadata.StatusEndpoint,
            VerificationEndpoint = metadata.VerificationEndpoint,
        };
    }

    /// <summary>
    /// Creates the stream at the source for the local stream <paramref name="record"/>, already stored
    /// (so that an early push is taken), keeps what the source answered, and asks it for a verification.
    /// If any step fails, both streams are removed again.
    /// </summary>
    public async Task<Outcome<StreamConfiguration>> JoinAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        var source = configuration.Source!;
        string? remoteId = null;
        try
        {
            var joined = await CreateThereAsync(record, configuration, id => remoteId = id, cancellationToken);
            if (joined.Failed(out var failure, out var stream))
            {
                LogJoinFailed(logger, source.Issuer, failure.Detail);
                await UndoAsync(record.StreamId, source, remoteId);
                return failure;
            }

            LogJoined(logger, record.StreamId, source.Issuer, stream.Source!.StreamId!);
            return stream;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await UndoAsync(record.StreamId, source, remoteId);
            throw;
        }
    }

    /// <summary>The steps of <see cref="JoinAsync"/>; <paramref name="created"/> learns the source's stream id as soon as there is one, for the undo.</summary>
    private async Task<Outcome<StreamConfiguration>> CreateThereAsync(StreamRecord record, StreamConfiguration configuration, Action<string?> created, CancellationToken cancellationToken)
    {
        var source = configuration.Source!;
        if ((await remote.CreateStreamAsync(source, CreateBody(configuration), cancellationToken)).Failed(out var refused, out var answer))
        {
            return refused;
        }

        var (stream, streamId, errors) = answer;
        created(streamId);
        var delivery = configuration.Delivery;
        if (stream is not null && stream.DeliveryMethod != delivery.Method)
        {
            errors = [.. errors, $"delivery.method is '{stream.DeliveryMethod}', not '{delivery.Method}'"];
        }
        else if (stream is not null && delivery.Method == DeliveryMethods.Poll)
        {
            // SSF 1.0 §6.1.2: the transmitter supplies the poll endpoint_url.
            if (addresses.CheckUrl(stream.DeliveryEndpointUrl) is { } problem)
            {
                errors = [.. errors, $"delivery.endpoint_url {problem}"];
            }

            delivery = delivery with { EndpointUrl = stream.DeliveryEndpointUrl };
        }

        if (stream is null || errors.Count > 0)
        {
            return Failure.BadGateway($"{source.ConfigurationEndpoint} answered a stream configuration this server cannot accept: {string.Join("; ", errors)}.");
        }

        // SSF 1.0 §8.1.1.1: aud and events_delivered are the transmitter's; its SETs carry that aud.
        var state = NewState();
        var verify = source.VerificationEndpoint is not null;
        var joined = configuration with
        {
            Audience = stream.Audience,
            EventsSupported = stream.EventsSupported ?? configuration.EventsSupported,
            EventsDelivered = stream.EventsDelivered,
            MinVerificationInterval = stream.MinVerificationInterval,
            Delivery = delivery,
            Source = source with { StreamId = stream.StreamId, VerificationState = verify ? state : null },
        };

        // The state is in the catalog before the source is asked, so that its answer is recognised.
        var now = time.GetUtcNow();
        await store.UpdateStreamAsync(record with { Configuration = codec.Encode(joined), UpdatedAt = now, LastVerificationAt = verify ? now : null }, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        if (verify && (await remote.RequestVerificationAsync(joined.Source, state, cancellationToken)).Failed(out var unverified))
        {
            // The join is undone, so the source's Retry-After is not this answer's: it is asked for again as a whole.
            return unverified with { RetryAfter = null };
        }

        return joined;
    }

    /// <summary>
    /// SSF 1.0 §8.1.1.2: reads the stream at the source and keeps what the source changed there. When
    /// the source cannot be read, the local copy is answered as it is.
    /// </summary>
    public async Task<StreamConfiguration> FollowAsync(StreamRecord record, StreamConfiguration current, CancellationToken cancellationToken)
    {
        if ((await remote.ReadStreamAsync(current.Source!, cancellationToken)).Failed(out var unread, out var stream))
        {
            LogRemoteFailed(logger, record.StreamId, "read", unread.Detail);
            return current;
        }

        var followed = WithRemote(current, stream);
        if (!followed.EventsDelivered.SequenceEqual(current.EventsDelivered) || !followed.EventsSupported.SequenceEqual(current.EventsSupported)
            || followed.MinVerificationInterval != current.MinVerificationInterval)
        {
            await store.UpdateStreamAsync(record with { Configuration = codec.Encode(followed), UpdatedAt = time.GetUtcNow() }, cancellationToken);
            await catalog.RefreshAsync(record.StreamId, cancellationToken);
        }

        return followed;
    }

    /// <summary>
    /// SSF 1.0 §8.1.1.3 and §8.1.1.4: makes the caller's change at the source first, and answers the
    /// local stream as the source now has it; nothing is kept here when the source refused.
    /// </summary>
    public async Task<Outcome<StreamConfiguration>> UpdateAsync(StreamConfiguration current, StreamConfiguration updated, StreamRequest request, bool replace, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["stream_id"] = current.Source!.StreamId };
        if ((replace || request.HasEventsRequested) && updated.EventsRequested is { } requested)
        {
            body["events_requested"] = Array(requested);
        }

        if ((replace || request.HasDescription) && updated.Description is { } description)
        {
            body["description"] = description;
        }

        // PUT replaces every receiver-supplied member, delivery included (SSF 1.0 §8.1.1.4).
        if (replace)
        {
            body["delivery"] = DeliveryBody(updated.Delivery);
        }

        if ((await remote.UpdateStreamAsync(current.Source, body, replace, cancellationToken)).Failed(out var refused, out var stream))
        {
            LogRemoteFailed(logger, current.StreamId, replace ? "replace" : "update", refused.Detail);
            return refused;
        }

        // 202: the source accepted the change but has not made it yet; what it delivers stays as it was.
        return stream is null ? updated with { EventsDelivered = current.EventsDelivered } : WithRemote(updated, stream);
    }

    /// <summary>
    /// SSF 1.0 §8.1.2.2: the caller's status change, made at the source first. Returns the status the
    /// source reports (null when it will decide later, or when it has no status endpoint).
    /// </summary>
    public async Task<Outcome<string?>> SetStatusAsync(StreamConfiguration current, string status, string? reason, CancellationToken cancellationToken)
    {
        if (current.Source!.StatusEndpoint is null)
        {
            return Outcome<string?>.Ok(null);
        }

        var changed = await remote.SetStatusAsync(current.Source, status, reason, cancellationToken);
        if (changed.Failure is { } refused)
        {
            LogRemoteFailed(logger, current.StreamId, "status change", refused.Detail);
        }

        return changed;
    }

    /// <summary>
    /// SSF 1.0 §8.1.4.2, as the receiver: asks the source for a verification with a new state of this
    /// server's own, stored (and in the catalog) before the source is asked.
    /// </summary>
    public async Task<Outcome> VerifyAsync(StreamRecord record, StreamConfiguration current, CancellationToken cancellationToken)
    {
        if (current.Source!.VerificationEndpoint is null)
        {
            return Failure.BadRequest($"{current.Source.Issuer} advertises no verification_endpoint, so it cannot be asked for a verification.");
        }

        var state = NewState();
        var verifying = current with { Source = current.Source with { VerificationState = state } };
        var now = time.GetUtcNow();
        await store.UpdateStreamAsync(record with { Configuration = codec.Encode(verifying), LastVerificationAt = now, LastActivityAt = now }, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        if ((await remote.RequestVerificationAsync(verifying.Source, state, cancellationToken)).Failed(out var refused))
        {
            LogRemoteFailed(logger, record.StreamId, "verification request", refused.Detail);
            return refused;
        }

        LogVerificationRequested(logger, record.StreamId, current.Source.Issuer);
        return Outcome.Done;
    }

    /// <summary>SSF 1.0 §8.1.1.5: deletes the stream at the source; a failure there is logged, and the local stream goes all the same.</summary>
    public async Task LeaveAsync(StreamConfiguration current, CancellationToken cancellationToken)
    {
        if (current.Source?.StreamId is null)
        {
            return;
        }

        if ((await remote.DeleteStreamAsync(current.Source, cancellationToken)).Failed(out var refused))
        {
            LogRemoteDeleteFailed(logger, current.StreamId, current.Source.StreamId, refused.Detail);
        }
    }

    /// <summary>SSF 1.0 §8.1.1.1: only receiver-supplied members; for push, this server's endpoint and credential.</summary>
    private static JsonObject CreateBody(StreamConfiguration configuration)
    {
        var body = new JsonObject { ["delivery"] = DeliveryBody(configuration.Delivery) };
        if (configuration.EventsRequested is { } requested)
        {
            body["events_requested"] = Array(requested);
        }

        if (configuration.Description is { } description)
        {
            body["description"] = description;
        }

        return body;
    }

    private static JsonObject DeliveryBody(DeliveryConfiguration delivery)
    {
        var body = new JsonObject { ["method"] = delivery.Method };
        if (delivery.EndpointUrl is { } endpoint)
        {
            body["endpoint_url"] = endpoint;
        }

        // The poll credential is this server's for the source, not the source's to know about.
        if (delivery.Method == DeliveryMethods.Push && delivery.AuthorizationHeader is { } header)
        {
            body["authorization_header"] = header;
        }

        return body;
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static StreamConfiguration WithRemote(StreamConfiguration local, SourceStream stream) => local with
    {
        EventsSupported = stream.EventsSupported ?? local.EventsSupported,
        EventsDelivered = stream.EventsDelivered,
        MinVerificationInterval = stream.MinVerificationInterval,
    };

    /// <summary>Removes what a failed join created; the request may be gone, so this runs to its end regardless.</summary>
    private async Task UndoAsync(string streamId, SourceConfiguration source, string? remoteId)
    {
        if (remoteId is not null)
        {
            if ((await remote.DeleteStreamAsync(source with { StreamId = remoteId }, CancellationToken.None)).Failed(out var refused))
            {
                LogRemoteDeleteFailed(logger, streamId, remoteId, refused.Detail);
            }
        }

        await store.DeleteStreamAsync(streamId, CancellationToken.None);
        await catalog.RefreshAsync(streamId, CancellationToken.None);
    }

    /// <summary>128 random bits: a state the source cannot guess (SSF 1.0 §8.1.4.2).</summary>
    private static string NewState() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} joined {Issuer} as its stream {RemoteStreamId}")]
    private static partial void LogJoined(ILogger logger, string streamId, string issuer, string remoteStreamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Joining {Issuer} failed: {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, string issuer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: the source refused or failed the {Operation}: {Reason}")]
    private static partial void LogRemoteFailed(ILogger logger, string streamId, string operation, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: its stream {RemoteStreamId} at the source could not be deleted: {Reason}")]
    private static partial void LogRemoteDeleteFailed(ILogger logger, string streamId, string remoteStreamId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: verification requested from {Issuer}")]
    private static partial void LogVerificationRequested(ILogger logger, string streamId, string issuer);
}
