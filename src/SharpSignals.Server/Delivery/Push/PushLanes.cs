using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// The lanes of one push stream: a backlog is split by subject, every SET about one subject in the
/// same lane and in order there, and the lanes push at once. One push at a time is bounded by the
/// round trip, not by either machine, so a stream with a backlog would otherwise never catch up. Lane
/// 0 runs on the worker's own push thread, the others on the push threads after it
/// (<see cref="PushThreads"/>), so that a stream's lanes use more than one core and no lane holds a
/// thread of its own.
/// </summary>
internal sealed class PushLanes(PushThreads threads, PushThread worker)
{
    /// <summary>
    /// Fewer entries than this per lane are not worth another lane: handing a lane to another thread
    /// and joining it costs a few thread wake-ups, which on a busy machine take as long as pushing a
    /// few dozen entries (measured in docs/benchmarks/history.md, "After: intake follows delivery").
    /// </summary>
    public const int MinEntriesPerLane = 32;

    /// <summary>
    /// <paramref name="batch"/> split into at most <paramref name="maxLanes"/> lanes by subject, each
    /// in the batch's order. A SET whose subject cannot be read (none, or not JSON) goes to lane 0.
    /// </summary>
    public static List<List<DeliveryEntry>> Split(IReadOnlyList<DeliveryEntry> batch, int maxLanes)
    {
        var count = Math.Clamp(batch.Count / MinEntriesPerLane, 1, maxLanes);
        var lanes = new List<List<DeliveryEntry>>(count);
        for (var i = 0; i < count; i++)
        {
            lanes.Add([]);
        }

        foreach (var entry in batch)
        {
            // The event's token carries the same sub_id as the stream's copy, and is never encrypted.
            var lane = count == 1 ? 0 : (int)((uint)SubjectHash(entry.EventToken) % (uint)count);
            lanes[lane].Add(entry);
        }

        lanes.RemoveAll(l => l.Count == 0);
        return lanes;
    }

    /// <summary>Runs <paramref name="work"/> for helper lane <paramref name="helper"/> (0 is the first helper, not the worker's lane) on the push thread it falls to.</summary>
    public Task<T> RunAsync<T>(int helper, Func<Task<T>> work) => threads.After(worker, helper + 1).RunAsync(work);

    /// <summary>A hash of the SET's <c>sub_id</c> member as it is written (RFC 9493), or 0 when it has none.</summary>
    internal static int SubjectHash(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (second < 0)
        {
            return 0;
        }

        var payload = token.AsSpan(first + 1, second - first - 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(payload.Length));
        try
        {
            if (Base64Url.DecodeFromChars(payload, buffer, out _, out var written) != OperationStatus.Done)
            {
                return 0;
            }

            var json = buffer.AsSpan(0, written);
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSubject = reader.ValueTextEquals("sub_id"u8);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isSubject)
                {
                    var hash = default(HashCode);
                    hash.AddBytes(json[start..(int)reader.BytesConsumed]);
                    return hash.ToHashCode();
                }
            }

            return 0;
        }
        catch (JsonException)
        {
            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
