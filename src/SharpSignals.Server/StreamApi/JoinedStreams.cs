using SharpSignals.Server.Http;
using SharpSignals.Server.Sources;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// The stream API's side of a stream joined at a remote transmitter (<see cref="SourceJoin"/>): the
/// one place that decides which calls go to the source as well, so that the API's own flow reads the
/// same for every stream. For any other stream each step leaves things as they are.
/// </summary>
internal sealed class JoinedStreams(SourceJoin join, StreamCodec codec)
{
    /// <summary>An inbound stream this server created at a remote transmitter, whose changes are made there too.</summary>
    public static bool IsJoined(StreamConfiguration configuration) =>
        configuration is { IsInbound: true, Source: { IsJoined: true, StreamId: not null } };

    /// <summary>Before anything is stored: the source to be joined, with the endpoints its discovery document names.</summary>
    public async Task<Outcome<NewStream>> DiscoverAsync(NewStream stream, CancellationToken cancellationToken)
    {
        if (!stream.IsJoining)
        {
            return stream;
        }

        var discovered = await join.DiscoverAsync(stream.Source!, stream.Delivery.Method, cancellationToken);
        return discovered.Failed(out var failure, out var source) ? failure : stream with { Source = source };
    }

    /// <summary>After the local stream is stored: the stream made at the source, or both gone again.</summary>
    public async Task<Outcome<StreamConfiguration>> JoinAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken) =>
        configuration.Source?.IsJoined == true ? await join.JoinAsync(record, configuration, cancellationToken) : configuration;

    /// <summary>What the source changed there since (SSF 1.0 §8.1.1.2), kept here.</summary>
    public async Task<StreamConfiguration> FollowAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken) =>
        IsJoined(configuration) ? await join.FollowAsync(record, configuration, cancellationToken) : configuration;

    /// <summary>The caller's change, made at the source first; the local stream as the source now has it.</summary>
    public async Task<Outcome<StreamConfiguration>> UpdateAsync(StreamConfiguration current, StreamConfiguration updated, StreamRequest request, bool replace, CancellationToken cancellationToken) =>
        IsJoined(current) ? await join.UpdateAsync(current, updated, request, replace, cancellationToken) : updated;

    public async Task LeaveAsync(StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        if (IsJoined(configuration))
        {
            await join.LeaveAsync(configuration, cancellationToken);
        }
    }

    /// <summary>The caller's status change, made at the source first; the record with the status the source reports.</summary>
    public async Task<Outcome<StreamRecord>> SetStatusAsync(StreamRecord record, StreamConfiguration configuration, string status, string? reason, CancellationToken cancellationToken)
    {
        if (!IsJoined(configuration))
        {
            return record;
        }

        if ((await join.SetStatusAsync(configuration, status, reason, cancellationToken)).Failed(out var refused, out var sourceStatus))
        {
            return refused;
        }

        var source = configuration.Source! with { Status = sourceStatus ?? configuration.Source!.Status, StatusReason = sourceStatus is null ? configuration.Source!.StatusReason : reason };
        return record with { Configuration = codec.Encode(configuration with { Source = source }) };
    }

    /// <summary>As the source's receiver, this server asks the source, with a state of its own; the caller's is not the one that comes back.</summary>
    public Task<Outcome> VerifyAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken) =>
        join.VerifyAsync(record, configuration, cancellationToken);
}
