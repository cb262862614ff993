using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Npgsql;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>The one LISTEN/NOTIFY channel of the database's nodes.</summary>
    internal const string NoticeChannel = "sharpsignals";

    /// <summary>
    /// The fence of a delivery change: the lease row locked FOR SHARE until the change commits, so a
    /// takeover (which updates that row) waits for it, and a change under an older token finds no row.
    /// </summary>
    private const string FenceSql = "SELECT 1 FROM stream_leases WHERE stream_id = @stream AND token = @token FOR SHARE";

    /// <summary>How long the listening connection waits for a notice before it checks that the connection still works.</summary>
    private static readonly TimeSpan ListenCheck = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public bool IsShared => true;

    /// <inheritdoc/>
    public async ValueTask NotifyAsync(ClusterNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var payload = notice.Encode();
        if (Encoding.UTF8.GetByteCount(payload) > ClusterNotice.MaxBytes)
        {
            throw new ArgumentException($"A notice takes at most {ClusterNotice.MaxBytes} bytes.", nameof(notice));
        }

        await using var command = _dataSource.CreateCommand("SELECT pg_notify(@channel, @payload)");
        command.Parameters.Text("channel", NoticeChannel);
        command.Parameters.Text("payload", payload);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ClusterNotice> ListenAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notices = Channel.CreateUnbounded<ClusterNotice>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = ListenLoopAsync(notices.Writer, stop.Token);
        try
        {
            await foreach (var notice in notices.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return notice;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await listening.ConfigureAwait(false);
        }
    }

    /// <summary>Holds a LISTEN connection open, opening a new one (after a Resync) whenever it is lost.</summary>
    private async Task ListenLoopAsync(ChannelWriter<ClusterNotice> notices, CancellationToken cancellationToken)
    {
        var lost = false;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, e) =>
                {
                    if (ClusterNotice.Decode(e.Payload) is { } notice)
                    {
                        notices.TryWrite(notice);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {NoticeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (lost)
                {
                    notices.TryWrite(ClusterNotice.Resync);
                }

                backoff = TimeSpan.FromMilliseconds(100);
                while (true)
                {
                    if (!await connection.WaitAsync(ListenCheck, cancellationToken).ConfigureAwait(false))
                    {
                        // Quiet for a while: make sure the connection is still there.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or InvalidOperationException or TimeoutException)
            {
                lost = true;
                try
                {
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        notices.TryComplete();
    }

    /// <inheritdoc/>
    public async ValueTask<int> HeartbeatAsync(string nodeId, TimeSpan ttl, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            """
            WITH beat AS (
                INSERT INTO cluster_nodes (node_id, expires_at) VALUES (@node, now() + @ttl)
                ON CONFLICT (node_id) DO UPDATE SET expires_at = excluded.expires_at
            )
            SELECT 1 + count(*)::int FROM cluster_nodes WHERE expires_at > now() AND node_id <> @node
            """,
            p =>
            {
                p.Text("node", nodeId);
                p.Add(new NpgsqlParameter("ttl", NpgsqlTypes.NpgsqlDbType.Interval) { Value = ttl });
            },
            r => r.GetInt32(0),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask LeaveAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM cluster_nodes WHERE node_id = @node");
        command.Parameters.Text("node", nodeId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryTakeTurnAsync(string task, string nodeId, TimeSpan duration, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            """
            INSERT INTO task_turns AS t (task, node_id, expires_at) VALUES (@task, @node, now() + @duration)
            ON CONFLICT (task) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
            WHERE t.expires_at <= now() OR t.node_id = excluded.node_id
            RETURNING true
            """,
            p =>
            {
                p.Text("task", task);
                p.Text("node", nodeId);
                p.Add(new NpgsqlParameter("duration", NpgsqlTypes.NpgsqlDbType.Interval) { Value = duration });
            },
            r => r.GetBoolean(0),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamLease>> TryAcquireLeasesAsync(IReadOnlyCollection<string> streamIds, string nodeId, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streamIds);
        if (streamIds.Count == 0)
        {
            return [];
        }

        // One statement. The rows are locked in stream order, so that two nodes taking overlapping
        // batches at once wait for each other instead of deadlocking; ANY drops repeated and unknown streams.
        return await ReadListAsync(
            """
            INSERT INTO stream_leases AS l (stream_id, node_id, token, expires_at)
            SELECT stream_id, @node, 1, now() + @duration FROM streams WHERE stream_id = ANY(@streams) ORDER BY stream_id
            ON CONFLICT (stream_id) DO UPDATE SET node_id = excluded.node_id, token = l.token + 1, expires_at = excluded.expires_at
            WHERE l.expires_at <= now() OR l.node_id = excluded.node_id
            RETURNING l.stream_id, l.token, l.expires_at
            """,
            p =>
            {
                p.Text("node", nodeId);
                p.Add(new NpgsqlParameter("duration", NpgsqlTypes.NpgsqlDbType.Interval) { Value = duration });
                p.TextArray("streams", streamIds);
            },
            r => new StreamLease(r.GetString(0), nodeId, r.GetInt64(1), ReadTime(r, 2)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlySet<string>> RenewLeasesAsync(IReadOnlyCollection<StreamLease> leases, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return new HashSet<string>();
        }

        var renewed = await ReadListAsync(
            """
            UPDATE stream_leases l SET expires_at = now() + @duration
            FROM unnest(@streams, @nodes, @tokens) AS held (stream_id, node_id, token)
            WHERE l.stream_id = held.stream_id AND l.node_id = held.node_id AND l.token = held.token
            RETURNING l.stream_id
            """,
            p =>
            {
                p.Add(new NpgsqlParameter("duration", NpgsqlTypes.NpgsqlDbType.Interval) { Value = duration });
                p.TextArray("streams", leases.Select(l => l.StreamId));
                p.TextArray("nodes", leases.Select(l => l.NodeId));
                p.Add(new NpgsqlParameter("tokens", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint) { Value = leases.Select(l => l.Token).ToArray() });
            },
            r => r.GetString(0),
            cancellationToken).ConfigureAwait(false);
        return renewed.ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(StreamLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var command = _dataSource.CreateCommand("""
            UPDATE stream_leases SET expires_at = '-infinity'
            WHERE stream_id = @stream AND node_id = @node AND token = @token
            """);
        BindLease(command.Parameters, lease);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
        await ReadListAsync(
            "SELECT stream_id, node_id, token, expires_at FROM stream_leases WHERE expires_at > now() ORDER BY stream_id",
            _ => { },
            r => new StreamLease(r.GetString(0), r.GetString(1), r.GetInt64(2), ReadTime(r, 3)),
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
    public bool KeepsKeyRing => true;

    /// <inheritdoc/>
    public IReadOnlyList<string> ListDataProtectionKeys()
    {
        using var command = _dataSource.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id");
        using var reader = command.ExecuteReader();
        var elements = new List<string>();
        while (reader.Read())
        {
            elements.Add(reader.GetString(0));
        }

        return elements;
    }

    /// <inheritdoc/>
    public void AddDataProtectionKey(string name, string xml)
    {
        using var command = _dataSource.CreateCommand("INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml)");
        command.Parameters.Text("name", name);
        command.Parameters.Text("xml", xml);
        command.ExecuteNonQuery();
    }

    /// <summary>Inside a write: fails it, changing nothing, when the lease is no longer the stream's newest.</summary>
    private static async Task CheckFenceAsync(PostgresWriteContext context, StreamLease? fence)
    {
        if (fence is null)
        {
            return;
        }

        await using var command = context.Command(FenceSql);
        command.Parameters.Text("stream", fence.StreamId);
        command.Parameters.BigInt("token", fence.Token);
        if (await command.ExecuteScalarAsync().ConfigureAwait(false) is null)
        {
            throw StreamLeaseLostException.For(fence);
        }
    }

    private static void BindLease(NpgsqlParameterCollection parameters, StreamLease lease)
    {
        parameters.Text("stream", lease.StreamId);
        parameters.Text("node", lease.NodeId);
        parameters.BigInt("token", lease.Token);
    }
}
