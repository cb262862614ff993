using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Client;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Intake;
using SharpSignals.Receiver.State;
using SharpSignals.Receiver.Transmitter;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Discovery;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Receiver.Streams;

/// <summary>
/// On start: discovers the transmitter (SSF 1.0 §7), reuses the stream kept in the state store if
/// the transmitter still has it (SSF 1.0 §8.1.1.2) or creates one (§8.1.1.1), checks <c>iss</c>,
/// <c>aud</c> and the delivery method it answered, starts taking SETs in, and asks for a verification
/// (§8.1.4.2). Failures are retried with back-off until the application stops (see <see cref="SetupRetry"/>);
/// a refusal is logged as an error.
/// </summary>
internal sealed partial class StreamSetupService(
    TransmitterClient transmitter,
    IReceiverStateStore store,
    SetIntake intake,
    SharedSignalsReceiverStatus status,
    IOptions<SharedSignalsReceiverOptions> options,
    TimeProvider time,
    ILogger<StreamSetupService> logger) : BackgroundService
{
    private SharedSignalsReceiverOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ActiveStream? active = null;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (active is null)
                {
                    active = await SetUpAsync(stoppingToken);

                    // The verification is a step of its own: retried alone, its failures counted afresh.
                    failures = 0;
                }

                await RequestVerificationAsync(active, stoppingToken);
                return;
            }
            catch (TransmitterException ex)
            {
                var refused = SetupRetry.IsRefusal(ex);
                var delay = SetupRetry.Delay(ex, failures++, Settings, Random.Shared.NextDouble());
                status.SetupFailed(ex.Message, refused, delay, time.GetUtcNow() + delay);
                if (refused)
                {
                    // Nothing changes until someone fixes the configuration here or at the transmitter; meanwhile no signal arrives.
                    LogSetupRefused(logger, Settings.Issuer, ex.Message, delay.TotalSeconds);
                }
                else
                {
                    LogSetupFailed(logger, Settings.Issuer, ex.Message, delay.TotalSeconds);
                }

                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    /// <summary>SSF 1.0 §8.1.4.2: asks for the verification whose event makes the stream count as up.</summary>
    private async Task RequestVerificationAsync(ActiveStream active, CancellationToken cancellationToken)
    {
        if (active.VerificationState is not { } state)
        {
            return;
        }

        await transmitter.RequestVerificationAsync(active.Metadata, active.StreamId, state, cancellationToken);
        status.VerificationRequested(time.GetUtcNow());
    }

    private async Task<ActiveStream> SetUpAsync(CancellationToken cancellationToken)
    {
        var metadata = await transmitter.DiscoverAsync(cancellationToken);
        var method = Settings.Delivery == ReceiverDeliveryMethod.Push ? DeliveryMethods.Push : DeliveryMethods.Poll;
        if (metadata.DeliveryMethodsSupported is { Count: > 0 } supported && !supported.Contains(method))
        {
            throw new TransmitterException($"{Settings.Issuer} does not deliver by {method}; it supports {string.Join(", ", supported)}.");
        }

        if (metadata.JwksUri is not { } jwksUri || !Uri.TryCreate(jwksUri, UriKind.Absolute, out var jwks))
        {
            // SSF 1.0 §7.1: jwks_uri is required of a transmitter that signs; unsigned SETs are never accepted here.
            throw new TransmitterException($"{Settings.Issuer} advertises no jwks_uri, so its SETs cannot be verified.");
        }

        var requested = RequestedEvents();
        var (stream, record, created) = await FindOrCreateAsync(metadata, method, requested, cancellationToken);
        if (stream.DeliveryMethod != method)
        {
            throw new TransmitterException($"The transmitter set up stream {stream.StreamId} with {stream.DeliveryMethod}, not {method}.");
        }

        // SSF 1.0 §8.1.1.1: the receiver SHOULD check aud against what it expects.
        if (Settings.Audience is { } audience && !stream.Audience.Contains(audience))
        {
            throw new TransmitterException($"Stream {stream.StreamId} has aud {string.Join(", ", stream.Audience)}, not '{audience}'.");
        }

        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = new JwksResolver(jwks, (uri, ct) => transmitter.GetStringAsync(uri, ct), time),
            ValidIssuers = [Settings.Issuer],
            ValidAudiences = Settings.Audience is { } expected ? [expected] : stream.Audience,

            // SSF 1.0 §8.1.1: receivers rely on events_delivered; other types are refused with access_denied.
            AcceptedEventTypes = stream.EventsDelivered,
            MaxAge = TimeSpan.FromSeconds(Settings.MaxSetAgeSeconds),
            TimeProvider = time,
        });
        var active = new ActiveStream
        {
            StreamId = stream.StreamId,
            Metadata = metadata,
            Validator = validator,
            DeliveryMethod = method,
            PollEndpointUrl = stream.DeliveryEndpointUrl,
            PushAuthorizationHeader = record.PushAuthorizationHeader,
            VerificationState = Settings.VerifyOnStart ? Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)) : null,
            PreviousVerificationState = record.VerificationState,
        };
        if (active.VerificationState is not null)
        {
            await store.SaveStreamAsync(record with { VerificationState = active.VerificationState }, cancellationToken);
        }

        if (method == DeliveryMethods.Poll && active.PollEndpointUrl is null)
        {
            throw new TransmitterException($"Stream {stream.StreamId} has no delivery.endpoint_url to poll.");
        }

        await intake.ActivateAsync(active, cancellationToken);
        string? streamStatus = null;
        try
        {
            streamStatus = await transmitter.ReadStatusAsync(metadata, stream.StreamId, cancellationToken);
        }
        catch (TransmitterException ex)
        {
            // The status is for information (SSF 1.0 §8.1.2); the stream works without it.
            LogStatusUnknown(logger, stream.StreamId, ex.Message);
        }

        status.Ready(stream.StreamId, created, streamStatus, active.VerificationState is not null);
        LogReady(logger, stream.StreamId, created ? "created" : "reused", method, streamStatus);
        return active;
    }

    private async Task<(StreamConfiguration Stream, ReceiverStreamRecord Record, bool Created)> FindOrCreateAsync(
        TransmitterMetadata metadata, string method, IReadOnlyList<string> requested, CancellationToken cancellationToken)
    {
        if (await store.GetStreamAsync(Settings.Issuer, cancellationToken) is { } kept
            && kept.DeliveryMethod == method
            && (method == DeliveryMethods.Poll || kept.PushEndpointUrl == Settings.PushEndpointUrl))
        {
            var existing = await transmitter.ReadStreamAsync(metadata, kept.StreamId, cancellationToken);
            if (existing is not null)
            {
                if (!SameEvents(kept.EventsRequested, requested))
                {
                    // SSF 1.0 §8.1.1.3: the receiver-supplied members that changed, nothing else.
                    existing = await transmitter.UpdateStreamAsync(metadata, new JsonObject { ["stream_id"] = kept.StreamId, ["events_requested"] = Array(requested) }, cancellationToken) ?? existing;
                    kept = kept with { EventsRequested = requested };
                    await store.SaveStreamAsync(kept, cancellationToken);
                }

                return (existing, kept, false);
            }

            LogStreamGone(logger, kept.StreamId);
        }

        var delivery = new JsonObject { ["method"] = method };
        string? pushAuthorization = null;
        if (method == DeliveryMethods.Push)
        {
            // SSF 1.0 §6.1.1: the receiver supplies the endpoint and the credential the transmitter must send with every push.
            pushAuthorization = "Bearer " + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            delivery["endpoint_url"] = Settings.PushEndpointUrl;
            delivery["authorization_header"] = pushAuthorization;
        }

        var body = new JsonObject { ["events_requested"] = Array(requested), ["delivery"] = delivery };
        if (Settings.Description is { } description)
        {
            body["description"] = description;
        }

        var created = await transmitter.CreateStreamAsync(metadata, body, cancellationToken);
        var record = new ReceiverStreamRecord
        {
            Issuer = Settings.Issuer,
            StreamId = created.StreamId,
            DeliveryMethod = method,
            PushEndpointUrl = method == DeliveryMethods.Push ? Settings.PushEndpointUrl : null,
            PushAuthorizationHeader = pushAuthorization,
            EventsRequested = requested,
            CreatedAt = time.GetUtcNow(),
        };
        await store.SaveStreamAsync(record, cancellationToken);
        return (created, record, true);
    }

    /// <summary>The configured types as URIs; none configured asks for every CAEP and RISC type (SSF 1.0 §8.1.1: only what it can act on).</summary>
    private List<string> RequestedEvents() => Settings.Events.Count > 0
        ? [.. Settings.Events.Select(e => EventCatalog.TryFind(e, out var descriptor) ? descriptor.Uri : e).Distinct(StringComparer.Ordinal)]
        : [.. EventCatalog.All.Where(d => d.Family is EventFamily.Caep or EventFamily.Risc).Select(d => d.Uri).Order(StringComparer.Ordinal)];

    private static bool SameEvents(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set up the stream with {Issuer}: {Error}; trying again in {Seconds:0.0} s")]
    private static partial void LogSetupFailed(ILogger logger, string issuer, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} {How}, delivered by {Method}, status {Status}")]
    private static partial void LogReady(ILogger logger, string streamId, string how, string method, string? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The transmitter no longer has stream {StreamId}; creating another")]
    private static partial void LogStreamGone(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the status of stream {StreamId}: {Error}")]
    private static partial void LogStatusUnknown(ILogger logger, string streamId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The transmitter {Issuer} refused to set up or verify the stream: {Error}; no signals arrive until this is fixed; trying again in {Seconds:0} s")]
    private static partial void LogSetupRefused(ILogger logger, string issuer, string error, double seconds);
}
