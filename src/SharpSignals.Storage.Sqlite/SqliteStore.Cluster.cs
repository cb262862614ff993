using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// The embedded store serves one node (<see cref="ILeaseStore"/>'s remarks): notices go nowhere, there is one
/// node, every lease is granted at once with a fencing token greater than the last, and every turn is this node's.
/// It keeps no key ring (<see cref="IKeyRingStore"/>'s remarks).
/// </summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc/>
    public bool IsShared => false;

    /// <inheritdoc/>
    public ValueTask NotifyAsync(ClusterNotice notice, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async IAsyncEnumerable<ClusterNotice> ListenAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Nobody else to hear from: wait until the listener stops.
        await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        yield break;
    }

    /// <inheritdoc/>
    public ValueTask<int> HeartbeatAsync(string nodeId, TimeSpan ttl, CancellationToken cancellationToken) => ValueTask.FromResult(1);

    /// <inheritdoc/>
    public ValueTask LeaveAsync(string nodeId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<bool> TryTakeTurnAsync(string task, string nodeId, TimeSpan duration, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <inheritdoc/>
    public async ValueTask<StreamLease?> TryAcquireLeaseAsync(string streamId, string nodeId, TimeSpan duration, CancellationToken cancellationToken)
    {
        var expires = DateTimeOffset.UtcNow + duration;
        var token = await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("""
                    INSERT INTO stream_leases (stream_id, node_id, token, expires_at)
                    SELECT $stream, $node, 1, $expires WHERE EXISTS (SELECT 1 FROM streams WHERE stream_id = $stream)
                    ON CONFLICT (stream_id) DO UPDATE SET node_id = excluded.node_id, token = token + 1, expires_at = excluded.expires_at
                    RETURNING token
                    """);
                command.Parameters.AddWithValue("$stream", streamId);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$expires", ToUnixMs(expires));
                return command.ExecuteScalar() as long?;
            },
            cancellationToken).ConfigureAwait(false);
        return token is { } granted ? new StreamLease(streamId, nodeId, granted, FromUnixMs(ToUnixMs(expires))) : null;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlySet<string>> RenewLeasesAsync(IReadOnlyCollection<StreamLease> leases, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var expires = ToUnixMs(DateTimeOffset.UtcNow + duration);
        return await _writer.ExecuteAsync(
            context =>
            {
                var renewed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var lease in leases)
                {
                    if (UpdateLease(context, lease, expires))
                    {
                        renewed.Add(lease.StreamId);
                    }
                }

                return (IReadOnlySet<string>)renewed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(StreamLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await _writer.ExecuteAsync(context => UpdateLease(context, lease, ToUnixMs(DateTimeOffset.UnixEpoch)), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT stream_id, node_id, token, expires_at FROM stream_leases WHERE expires_at > $now ORDER BY stream_id",
            p => p.AddWithValue("$now", ToUnixMs(DateTimeOffset.UtcNow)),
            r =>
            {
                var leases = new List<StreamLease>();
                while (r.Read())
                {
                    leases.Add(new StreamLease(r.GetString(0), r.GetString(1), r.GetInt64(2), FromUnixMs(r.GetInt64(3))));
                }

                return leases;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public ValueTask<int> AcknowledgeAsync(StreamLease lease, IReadOnlyCollection<DeliveredEntry> delivered, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return AcknowledgePushedAsync(lease, delivered, at, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> DeadLetterAsync(StreamLease lease, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return DeadLetterAsync(lease.StreamId, failures, at, lease, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask RecordFailedAttemptAsync(StreamLease lease, long id, string reason, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return RecordFailedAttemptAsync(lease.StreamId, id, reason, attempt, nextAttemptAt, lease, cancellationToken);
    }

    /// <inheritdoc/>
    public bool KeepsKeyRing => false;

    /// <inheritdoc/>
    /// <remarks>The embedded store's node keeps its key ring in its data directory.</remarks>
    public IReadOnlyList<string> ListDataProtectionKeys() => throw new NotSupportedException("The embedded store's node keeps its Data Protection keys in its data directory.");

    /// <inheritdoc/>
    public void AddDataProtectionKey(string name, string xml) => throw new NotSupportedException("The embedded store's node keeps its Data Protection keys in its data directory.");

    /// <summary>Inside a write: fails it, changing nothing, when the lease is no longer the stream's newest.</summary>
    private static void CheckFence(SqliteWriteContext context, StreamLease? fence)
    {
        if (fence is null)
        {
            return;
        }

        var command = context.Command("SELECT 1 FROM stream_leases WHERE stream_id = $stream AND token = $token");
        command.Parameters.AddWithValue("$stream", fence.StreamId);
        command.Parameters.AddWithValue("$token", fence.Token);
        if (command.ExecuteScalar() is null)
        {
            throw StreamLeaseLostException.For(fence);
        }
    }

    private static bool UpdateLease(SqliteWriteContext context, StreamLease lease, long expires)
    {
        var command = context.Command("UPDATE stream_leases SET expires_at = $expires WHERE stream_id = $stream AND node_id = $node AND token = $token");
        command.Parameters.AddWithValue("$expires", expires);
        command.Parameters.AddWithValue("$stream", lease.StreamId);
        command.Parameters.AddWithValue("$node", lease.NodeId);
        command.Parameters.AddWithValue("$token", lease.Token);
        return command.ExecuteNonQuery() == 1;
    }
}
