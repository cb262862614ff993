using Npgsql;
using NpgsqlTypes;
using SharpSignals.Storage.Topics;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore : ITopicLog
{
    /// <inheritdoc/>
    public async ValueTask<TopicMessageRecord> AppendTopicMessageAsync(string topic, string message, Func<long, string> frame, TopicRetention retention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(retention);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The counter row stays locked until the commit, so the topic's next message waits for this
        // one: ids become visible in order, which is what lets a node fill a gap from here.
        long id;
        DateTimeOffset sentAt;
        await using (var next = new NpgsqlCommand(
            """
            INSERT INTO topic_counters AS c (topic, last_id) VALUES (@topic, 1)
            ON CONFLICT (topic) DO UPDATE SET last_id = c.last_id + 1
            RETURNING last_id, now()
            """,
            connection,
            transaction))
        {
            next.Parameters.Text("topic", topic);
            await using var reader = await next.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            id = reader.GetInt64(0);
            sentAt = ReadTime(reader, 1);
        }

        var record = new TopicMessageRecord(topic, id, sentAt, message, frame(id));
        await using (var keep = new NpgsqlCommand(
            """
            INSERT INTO topic_messages (topic, id, sent_at, message, frame) VALUES (@topic, @id, @sent_at, @message, @frame);
            DELETE FROM topic_messages WHERE topic = @topic AND (id <= @id - @keep OR sent_at < @sent_at - @age)
            """,
            connection,
            transaction))
        {
            keep.Parameters.Text("topic", topic);
            keep.Parameters.BigInt("id", id);
            keep.Parameters.Add(new NpgsqlParameter("sent_at", NpgsqlDbType.TimestampTz) { Value = sentAt });
            keep.Parameters.Text("message", message);
            keep.Parameters.Text("frame", record.Frame);
            keep.Parameters.Integer("keep", retention.MaxMessages);
            keep.Parameters.Add(new NpgsqlParameter("age", NpgsqlDbType.Interval) { Value = retention.MaxAge });
            await keep.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TopicMessageRecord>> ReadTopicMessagesAsync(string topic, long after, long? through, TopicRetention retention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retention);
        return await ReadListAsync(
            """
            SELECT topic, id, sent_at, message, frame FROM topic_messages
            WHERE topic = @topic AND id > @after AND (@through IS NULL OR id <= @through)
              AND id > (SELECT last_id FROM topic_counters WHERE topic = @topic) - @keep
              AND sent_at >= now() - @age
            ORDER BY id
            """,
            p =>
            {
                p.Text("topic", topic);
                p.BigInt("after", after);
                p.BigInt("through", through);
                p.Integer("keep", retention.MaxMessages);
                p.Add(new NpgsqlParameter("age", NpgsqlDbType.Interval) { Value = retention.MaxAge });
            },
            r => new TopicMessageRecord(r.GetString(0), r.GetInt64(1), ReadTime(r, 2), r.GetString(3), r.GetString(4)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<string, long>> LastTopicIdsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken)
    {
        var rows = await ReadListAsync(
            "SELECT topic, last_id FROM topic_counters WHERE topic = ANY(@topics)",
            p => p.TextArray("topics", topics),
            r => (Topic: r.GetString(0), LastId: r.GetInt64(1)),
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Topic, r => r.LastId, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public async ValueTask<int> PurgeTopicMessagesAsync(TopicRetention retention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retention);
        await using var command = _dataSource.CreateCommand("DELETE FROM topic_messages WHERE sent_at < now() - @age");
        command.Parameters.Add(new NpgsqlParameter("age", NpgsqlDbType.Interval) { Value = retention.MaxAge });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
