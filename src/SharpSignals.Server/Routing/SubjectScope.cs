using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Routing;

/// <summary>
/// The subjects a receiver added to or removed from one stream (SSF 1.0 §8.1.3), indexed so that
/// routing an event costs the same with ten subjects or a million.
/// </summary>
/// <remarks>
/// Every SSF 1.0 §3.3 match comes down to two simple identifiers that are identical: a simple
/// subject matches a complex one holding it in a member, <c>aliases</c> match through any of their
/// identifiers, complex subjects through a shared member. So a subject can only match an event whose
/// leaves (<see cref="LeavesOf"/>) share at least one canonical key with its own. A simple subject (nearly all of
/// them) matches exactly when its key is one of the event's leaves, so it is kept as its key alone,
/// UTF-8, with its decision; a complex or <c>aliases</c> subject is kept parsed under each of its
/// leaves and checked with <see cref="SubjectIdentifier.Matches"/> (a member may also rule it out).
/// Each entry carries the order of the receiver's latest change, so the latest matching one decides.
/// Reads take no lock (routing reads on many threads); changes are made one at a time.
/// </remarks>
internal sealed class SubjectScope
{
    private static readonly string ComplexPrefix = $$"""{"format":"{{SubjectFormats.Complex}}",""";
    private static readonly string AliasesPrefix = $$"""{"format":"{{SubjectFormats.Aliases}}",""";

    [ThreadStatic]
    private static EventLeaves? _threadLeaves;

    /// <summary>A simple subject's canonical key, UTF-8, to <c>order * 2 + (included ? 1 : 0)</c>.</summary>
    private readonly ConcurrentDictionary<byte[], long> _simple = new(Utf8KeyComparer.Instance);

    /// <summary>Each leaf key of a complex or <c>aliases</c> subject to the subjects holding it (arrays replaced whole).</summary>
    private readonly ConcurrentDictionary<byte[], RouteSubject[]> _compositeByLeaf = new(Utf8KeyComparer.Instance);

    /// <summary>The complex and <c>aliases</c> subjects by their canonical key; only changes read it.</summary>
    private readonly Dictionary<string, RouteSubject> _composites = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _simpleBySpan;
    private readonly ConcurrentDictionary<byte[], RouteSubject[]>.AlternateLookup<ReadOnlySpan<byte>> _compositeBySpan;
    private readonly Lock _changing = new();
    private long _lastOrder;
    private int _count;

    private SubjectScope()
    {
        _simpleBySpan = _simple.GetAlternateLookup<ReadOnlySpan<byte>>();
        _compositeBySpan = _compositeByLeaf.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>How many subjects the stream records (added or removed).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Serialises one stream's subject changes, from the store's write to this index, so both keep one order.</summary>
    public SemaphoreSlim Changes { get; } = new(1, 1);

    /// <summary>The subjects as the store lists them, oldest change first.</summary>
    public static SubjectScope From(IReadOnlyList<StreamSubject> subjects)
    {
        var scope = new SubjectScope();
        foreach (var subject in subjects)
        {
            scope.Record(subject);
        }

        return scope;
    }

    /// <summary>The receiver's latest change to one subject; it goes after every other.</summary>
    public void Record(StreamSubject subject)
    {
        var key = Encoding.UTF8.GetBytes(subject.SubjectKey);
        lock (_changing)
        {
            var order = ++_lastOrder;
            if (!IsComposite(subject.SubjectKey))
            {
                // One store: readers see the old decision or the new one, never none.
                var isNew = !_simple.ContainsKey(key);
                _simple[key] = (order * 2) + (subject.Included ? 1 : 0);
                CountIfNew(isNew);
                return;
            }

            var identifier = SubjectIdentifier.Parse(subject.Subject);
            var entry = new RouteSubject(identifier, subject.Included, order, [.. LeafKeysOf(identifier)]);
            var isNewComposite = !_composites.Remove(subject.SubjectKey, out var previous);
            _composites[subject.SubjectKey] = entry;
            foreach (var leaf in entry.Leaves)
            {
                var holders = _compositeByLeaf.GetValueOrDefault(leaf) ?? [];
                _compositeByLeaf[leaf] = [.. holders.Where(h => !ReferenceEquals(h, previous)), entry];
            }

            CountIfNew(isNewComposite);
        }
    }

    /// <summary>Whether this index holds exactly <paramref name="subjects"/>, in their order (a reload that changed nothing).</summary>
    public bool Holds(IReadOnlyList<StreamSubject> subjects)
    {
        if (subjects.Count != Count)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            long previous = 0;
            foreach (var subject in subjects)
            {
                if (Encoding.UTF8.GetMaxByteCount(subject.SubjectKey.Length) > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(subject.SubjectKey.Length));
                }

                var key = buffer.AsSpan(0, Encoding.UTF8.GetBytes(subject.SubjectKey, buffer));
                long value;
                if (_simpleBySpan.TryGetValue(key, out var simple))
                {
                    value = simple;
                }
                else
                {
                    lock (_changing)
                    {
                        if (!_composites.TryGetValue(subject.SubjectKey, out var composite))
                        {
                            return false;
                        }

                        value = composite.Value;
                    }
                }

                if ((value & 1) != (subject.Included ? 1 : 0) || value <= previous)
                {
                    return false;
                }

                previous = value;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.3: the decision of the receiver's latest change to a subject that matches
    /// <paramref name="subject"/> (§3.3), or null when none matches.
    /// </summary>
    public bool? Decide(SubjectIdentifier subject)
    {
        if (Count == 0)
        {
            return null;
        }

        var leaves = _threadLeaves ??= new EventLeaves();
        leaves.Collect(subject);
        return Decide(leaves, subject);
    }

    /// <summary>As <see cref="Decide(SubjectIdentifier)"/>, with the event's leaves already collected (one event, many streams).</summary>
    public bool? Decide(EventLeaves leaves, SubjectIdentifier subject)
    {
        if (Count == 0)
        {
            return null;
        }

        var best = -1L;
        for (var i = 0; i < leaves.Count; i++)
        {
            if (_simpleBySpan.TryGetValue(leaves[i], out var value) && value > best)
            {
                best = value;
            }
        }

        if (!_compositeByLeaf.IsEmpty)
        {
            for (var i = 0; i < leaves.Count; i++)
            {
                if (_compositeBySpan.TryGetValue(leaves[i], out var holders))
                {
                    foreach (var holder in holders)
                    {
                        if (holder.Value > best && holder.Subject.Matches(subject))
                        {
                            best = holder.Value;
                        }
                    }
                }
            }
        }

        return best < 0 ? null : (best & 1) == 1;
    }

    /// <summary>The event's leaves for the calling thread, collected once per event and reused for every stream.</summary>
    public static EventLeaves LeavesOf(SubjectIdentifier subject)
    {
        var leaves = _threadLeaves ??= new EventLeaves();
        leaves.Collect(subject);
        return leaves;
    }

    private static bool IsComposite(string key) =>
        key.StartsWith(ComplexPrefix, StringComparison.Ordinal) || key.StartsWith(AliasesPrefix, StringComparison.Ordinal);

    private static IEnumerable<byte[]> LeafKeysOf(SubjectIdentifier identifier)
    {
        using var leaves = new EventLeaves();
        leaves.Collect(identifier);
        return Enumerable.Range(0, leaves.Count).Select(i => leaves[i].ToArray()).Distinct(Utf8KeyComparer.Instance).ToList();
    }

    private void CountIfNew(bool isNew)
    {
        if (isNew)
        {
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>
    /// The simple identifiers a subject is made of (itself when simple; the members of a complex one,
    /// the identifiers of <c>aliases</c>, at any depth), each as its canonical key in UTF-8, written
    /// into one reused buffer.
    /// </summary>
    internal sealed class EventLeaves : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly List<(int Start, int Length)> _segments = new(4);
        private readonly Utf8JsonWriter _writer;

        public EventLeaves() => _writer = new Utf8JsonWriter(_buffer);

        public void Dispose() => _writer.Dispose();

        public int Count => _segments.Count;

        public ReadOnlySpan<byte> this[int index] => _buffer.WrittenSpan.Slice(_segments[index].Start, _segments[index].Length);

        public void Collect(SubjectIdentifier subject)
        {
            _buffer.ResetWrittenCount();
            _segments.Clear();
            Add(subject);
        }

        private void Add(SubjectIdentifier subject)
        {
            switch (subject)
            {
                case ComplexSubject complex:
                    foreach (var member in complex.Members.Values)
                    {
                        Add(member);
                    }

                    break;
                case AliasesSubject aliases:
                    foreach (var identifier in aliases.Identifiers)
                    {
                        Add(identifier);
                    }

                    break;
                default:
                    // The same writer settings as SubjectIdentifier.CanonicalKey, so the bytes are its key.
                    var start = _buffer.WrittenCount;
                    _writer.Reset(_buffer);
                    subject.WriteTo(_writer);
                    _writer.Flush();
                    _segments.Add((start, _buffer.WrittenCount - start));
                    break;
            }
        }
    }

    /// <summary>Ordinal equality of UTF-8 keys, looked up by span so that routing allocates nothing.</summary>
    private sealed class Utf8KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
