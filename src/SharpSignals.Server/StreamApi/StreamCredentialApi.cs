using System.Security.Claims;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// Not in SSF 1.0: a stream's own credential (docs/API.md, "Stream credentials"), issued and revoked
/// through the management API. Only for streams whose receiving end is this server's: an outbound
/// poll stream, an inbound push stream not joined at its source (a joined source was handed its
/// credential by this server, which would cut it off).
/// </summary>
internal sealed partial class StreamCredentialApi(
    IStreamStore store,
    CallerStreams visible,
    StreamCatalog catalog,
    StreamCodec codec,
    StreamCredentials credentials,
    TimeProvider time,
    ILogger<StreamCredentialApi> logger)
{
    /// <summary>A new credential, shown this once; whatever credential the stream was polled or pushed at with before stops working.</summary>
    public async Task<Outcome<StreamCredentialResponse>> IssueAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        if ((await FindCredentialStreamAsync(caller, streamId, cancellationToken)).Failed(out var refused, out var stream))
        {
            return refused;
        }

        var credential = await credentials.IssueAsync(streamId, cancellationToken);
        if (credential is null)
        {
            return Failure.NotFound($"There is no stream '{streamId}'.");
        }

        await DropCreatedCredentialAsync(stream.Record, stream.Configuration, cancellationToken);
        LogCredentialIssued(logger, streamId);
        return new StreamCredentialResponse(streamId, "Bearer " + credential, stream.Configuration.Delivery.EndpointUrl);
    }

    /// <summary>Revokes the stream's credential, and for an inbound push stream the one shown when it was created: nothing is accepted for it until one is issued.</summary>
    public async Task<Outcome> RevokeAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        if ((await FindCredentialStreamAsync(caller, streamId, cancellationToken)).Failed(out var refused, out var stream))
        {
            return refused;
        }

        await credentials.RevokeAsync(streamId, cancellationToken);
        await DropCreatedCredentialAsync(stream.Record, stream.Configuration, cancellationToken);
        LogCredentialRevoked(logger, streamId);
        return Outcome.Done;
    }

    private async Task<Outcome<(StreamRecord Record, StreamConfiguration Configuration)>> FindCredentialStreamAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        var configuration = codec.Decode(record);
        var polledHere = !configuration.IsInbound && configuration.Delivery.Method == DeliveryMethods.Poll;
        var pushedHere = configuration.IsInbound && configuration.Delivery.Method == DeliveryMethods.Push && !JoinedStreams.IsJoined(configuration);
        return polledHere || pushedHere
            ? (record, configuration)
            : Failure.Invalid(["a stream credential is for a stream polled or pushed to at this server: an outbound poll stream, or an inbound push stream that was not joined at its source"]);
    }

    /// <summary>An inbound push stream's credential shown at its creation is kept (encrypted) in its delivery; one credential per stream, so it goes.</summary>
    private async Task DropCreatedCredentialAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        if (configuration.IsInbound && configuration.Delivery.AuthorizationHeader is not null)
        {
            var changed = configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = null } };
            await store.UpdateStreamAsync(record with { Configuration = codec.Encode(changed), UpdatedAt = time.GetUtcNow() }, cancellationToken);
            await catalog.RefreshAsync(record.StreamId, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: a new stream credential was issued; the one before no longer works")]
    private static partial void LogCredentialIssued(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: its stream credential was revoked")]
    private static partial void LogCredentialRevoked(ILogger logger, string streamId);
}
