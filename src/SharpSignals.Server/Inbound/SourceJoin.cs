using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Discovery;
using SourceStream = SharpSignals.Client.StreamConfiguration;

namespace SharpSignals.Server.Inbound;

/// <summary>
/// This server joining a remote SSF transmitter as a receiver (docs/API.md, "Inbound streams"): the
/// inbound stream here is the local copy of a stream it creates there, and what the caller changes
/// here (configuration, status, verification, deletion) is done there too (SSF 1.0 §8.1). Remote
/// failures are answered 502 (429 when the source asks to be called later), and change nothing here.
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
    public async Task<(SourceConfiguration? Source, StreamOutcome? Error)> DiscoverAsync(SourceConfiguration source, string deliveryMethod, CancellationToken cancellationToken)
    {
        TransmitterMetadata metadata;
        try
        {
            metadata = await remote.DiscoverAsync(source.Issuer, cancellationToken);
        }
        catch (SourceException ex)
        {
            LogJoinFailed(logger, source.Issuer, ex.Message);
            return (null, Failed(ex));
        }

        if (source.ConfigurationEndpoint is { } given && given != metadata.ConfigurationEndpoint)
        {
            return (null, StreamOutcome.Invalid([$"source.configuration_endpoint is not the configuration_endpoint '{metadata.ConfigurationEndpoint}' that {source.Issuer} advertises"]));
        }

        if (metadata.DeliveryMethodsSupported is { Count: > 0 } methods && !methods.Contains(deliveryMethod))
        {
            return (null, StreamOutcome.Invalid([$"{source.Issuer} does not deliver with {deliveryMethod}; it supports {string.Join(", ", methods)}"]));
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
            return (null, StreamOutcome.Problem(Problems.BadGateway($"{source.Issuer} cannot be joined: {string.Join("; ", errors)}.")));
        }

        return (source with
        {
            ConfigurationEndpoint = metadata.ConfigurationEndpoint,
            StatusEndpoint = metadata.StatusEndpoint,
            VerificationEndpoint = metadata.VerificationEndpoint,
        }, null);
    }

    /// <summary>
    /// Creates the stream at the source for the local stream <paramref name="record"/>, already stored
    /// (so that an early push is taken), keeps what the source answered, and asks it for a verification.
    /// If any step fails, both streams are removed again.
    /// </summary>
    public async Task<StreamOutcome> JoinAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        var source = configuration.Source!;
        string? remoteId = null;
        try
        {
            var (stream, streamId, errors) = await remote.CreateStreamAsync(source, CreateBody(configuration), cancellationToken);
            remoteId = streamId;
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
                throw new SourceException($"{source.ConfigurationEndpoint} answered a stream configuration this server cannot accept: {string.Join("; ", errors)}.");
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
            if (verify)
            {
                await remote.RequestVerificationAsync(joined.Source, state, cancellationToken);
            }

            LogJoined(logger, record.StreamId, source.Issuer, stream.StreamId);
            return StreamOutcome.Ok(joined);
        }
        catch (SourceException ex)
        {
            LogJoinFailed(logger, source.Issuer, ex.Message);
            await UndoAsync(record.StreamId, source, remoteId);
            return Failed(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await UndoAsync(record.StreamId, source, remoteId);
            throw;
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.1.2: reads the stream at the source and keeps what the source changed there. When
    /// the source cannot be read, the local copy is answered as it is.
    /// </summary>
    public async Task<StreamConfiguration> FollowAsync(StreamRecord record, StreamConfiguration current, CancellationToken cancellationToken)
    {
        SourceStream stream;
        try
        {
            stream = await remote.ReadStreamAsync(current.Source!, cancellationToken);
        }
        catch (SourceException ex)
        {
            LogRemoteFailed(logger, record.StreamId, "read", ex.Message);
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
    public async Task<StreamOutcome> UpdateAsync(StreamConfiguration current, StreamConfiguration updated, StreamRequest request, bool replace, CancellationToken cancellationToken)
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

        try
        {
            var stream = await remote.UpdateStreamAsync(current.Source, body, replace, cancellationToken);

            // 202: the source accepted the change but has not made it yet; what it delivers stays as it was.
            return StreamOutcome.Ok(stream is null ? updated with { EventsDelivered = current.EventsDelivered } : WithRemote(updated, stream));
        }
        catch (SourceException ex)
        {
            LogRemoteFailed(logger, current.StreamId, replace ? "replace" : "update", ex.Message);
            return Failed(ex);
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.2.2: the caller's status change, made at the source first. Returns the status the
    /// source reports (null when it will decide later, or when it has no status endpoint).
    /// </summary>
    public async Task<(string? SourceStatus, StreamOutcome? Error)> SetStatusAsync(StreamConfiguration current, string status, string? reason, CancellationToken cancellationToken)
    {
        if (current.Source!.StatusEndpoint is null)
        {
            return (null, null);
        }

        try
        {
            return (await remote.SetStatusAsync(current.Source, status, reason, cancellationToken), null);
        }
        catch (SourceException ex)
        {
            LogRemoteFailed(logger, current.StreamId, "status change", ex.Message);
            return (null, Failed(ex));
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.4.2, as the receiver: asks the source for a verification with a new state of this
    /// server's own, stored (and in the catalog) before the source is asked.
    /// </summary>
    public async Task<(StreamOutcome? Error, TimeSpan? RetryAfter)> VerifyAsync(StreamRecord record, StreamConfiguration current, CancellationToken cancellationToken)
    {
        if (current.Source!.VerificationEndpoint is null)
        {
            return (StreamOutcome.Problem(Problems.BadRequest($"{current.Source.Issuer} advertises no verification_endpoint, so it cannot be asked for a verification.")), null);
        }

        var state = NewState();
        var verifying = current with { Source = current.Source with { VerificationState = state } };
        var now = time.GetUtcNow();
        await store.UpdateStreamAsync(record with { Configuration = codec.Encode(verifying), LastVerificationAt = now, LastActivityAt = now }, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        try
        {
            await remote.RequestVerificationAsync(verifying.Source, state, cancellationToken);
            LogVerificationRequested(logger, record.StreamId, current.Source.Issuer);
            return (null, null);
        }
        catch (SourceException ex)
        {
            LogRemoteFailed(logger, record.StreamId, "verification request", ex.Message);
            return (Failed(ex), ex.RetryAfter);
        }
    }

    /// <summary>SSF 1.0 §8.1.1.5: deletes the stream at the source; a failure there is logged, and the local stream goes all the same.</summary>
    public async Task LeaveAsync(StreamConfiguration current, CancellationToken cancellationToken)
    {
        if (current.Source?.StreamId is null)
        {
            return;
        }

        try
        {
            await remote.DeleteStreamAsync(current.Source, cancellationToken);
        }
        catch (SourceException ex)
        {
            LogRemoteDeleteFailed(logger, current.StreamId, current.Source.StreamId, ex.Message);
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

    private static StreamOutcome Failed(SourceException ex) => StreamOutcome.Problem(ex.RemoteStatus == StatusCodes.Status429TooManyRequests
        ? Problems.TooManyRequests(ex.Message)
        : Problems.BadGateway(ex.Message));

    /// <summary>Removes what a failed join created; the request may be gone, so this runs to its end regardless.</summary>
    private async Task UndoAsync(string streamId, SourceConfiguration source, string? remoteId)
    {
        if (remoteId is not null)
        {
            try
            {
                await remote.DeleteStreamAsync(source with { StreamId = remoteId }, CancellationToken.None);
            }
            catch (SourceException ex)
            {
                LogRemoteDeleteFailed(logger, streamId, remoteId, ex.Message);
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
