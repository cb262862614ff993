using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
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
/// UTF-8, with its decision, in a <see cref="KeyTable"/> (a million of them in tens of megabytes,
/// docs/BENCHMARKS.md); a complex or <c>aliases</c> subject is kept parsed under each of its
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

    /// <summary>A simple subject's canonical key, UTF-8, to <c>order * 2 + (included ? 1 : 0)</c>; replaced whole when it grows.</summary>
    private KeyTable _simple = KeyTable.Empty;

    /// <summary>Each leaf key of a complex or <c>aliases</c> subject to the subjects holding it (arrays replaced whole).</summary>
    private readonly ConcurrentDictionary<byte[], RouteSubject[]> _compositeByLeaf = new(Utf8KeyComparer.Instance);

    /// <summary>The complex and <c>aliases</c> subjects by their canonical key; only changes read it.</summary>
    private readonly Dictionary<string, RouteSubject> _composites = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<byte[], RouteSubject[]>.AlternateLookup<ReadOnlySpan<byte>> _compositeBySpan;
    private readonly Lock _changing = new();
    private long _lastOrder;
    private int _count;

    /// <summary>A change's key, UTF-8; only changes use it, one at a time.</summary>
    private byte[] _keyBuffer = new byte[256];

    private SubjectScope()
    {
        _compositeBySpan = _compositeByLeaf.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>How many subjects the stream records (added or removed).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Serialises one stream's subject changes, from the store's write to this index, so both keep one order.</summary>
    public SemaphoreSlim Changes { get; } = new(1, 1);

    /// <summary>The subjects as the store lists them, oldest change first.</summary>
    public static SubjectScope From(IEnumerable<StreamSubject> subjects)
    {
        var loader = new Loader(null);
        foreach (var subject in subjects)
        {
            loader.Add(subject);
        }

        return loader.Finish()!;
    }

    /// <summary>The receiver's latest change to one subject; it goes after every other.</summary>
    public void Record(StreamSubject subject)
    {
        lock (_changing)
        {
            var order = ++_lastOrder;
            if (!IsComposite(subject.SubjectKey))
            {
                // One write of the decision: readers see the old one or the new one, never none.
                var table = _simple.Set(KeyOf(subject.SubjectKey, ref _keyBuffer), (order * 2) + (subject.Included ? 1 : 0), out var isNew);
                if (!ReferenceEquals(table, _simple))
                {
                    Volatile.Write(ref _simple, table);
                }

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

        var holding = new Holding(this);
        foreach (var subject in subjects)
        {
            holding.Next(subject);
        }

        return holding.End();
    }

    /// <summary>Gives back what growing one change at a time left unused (after loading a stream's subjects).</summary>
    public void TrimExcess()
    {
        lock (_changing)
        {
            Volatile.Write(ref _simple, _simple.Trimmed());
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
        var simple = Volatile.Read(ref _simple);
        for (var i = 0; i < leaves.Count; i++)
        {
            if (simple.TryGetValue(leaves[i], out var value) && value > best)
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

    /// <summary><paramref name="key"/> in UTF-8, written into <paramref name="buffer"/> (made larger when it must be).</summary>
    private static ReadOnlySpan<byte> KeyOf(string key, ref byte[] buffer)
    {
        if (Encoding.UTF8.GetMaxByteCount(key.Length) > buffer.Length)
        {
            buffer = new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        }

        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(key, buffer));
    }

    private void CountIfNew(bool isNew)
    {
        if (isNew)
        {
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>
    /// A stream's subjects as the store hands them over, one at a time, oldest change first, so that
    /// they are never all in memory as rows: a new index built from them, or, when the stream has an
    /// index already, the check that it holds exactly them (an unchanged stream keeps its index and
    /// nothing is built).
    /// </summary>
    internal sealed class Loader(SubjectScope? current)
    {
        private readonly SubjectScope? _built = current is null ? new SubjectScope() : null;
        private readonly Holding? _holding = current is null ? null : new Holding(current);

        /// <summary>The index the rows are checked against; null when a new one is built.</summary>
        public SubjectScope? Current => current;

        public void Add(StreamSubject subject)
        {
            if (_built is not null)
            {
                _built.Record(subject);
            }
            else
            {
                _holding!.Next(subject);
            }
        }

        /// <summary>The new index; or the current one when it holds exactly the subjects; or null when it does not (read the stream again).</summary>
        public SubjectScope? Finish()
        {
            if (_built is not null)
            {
                _built.TrimExcess();
                return _built;
            }

            return _holding!.End() ? current : null;
        }
    }

    /// <summary>Compares an index with the store's subjects one at a time: same subjects, same decisions, same order.</summary>
    private sealed class Holding(SubjectScope scope)
    {
        private byte[] _buffer = new byte[256];
        private long _previous;
        private int _seen;
        private bool _differs;

        public void Next(StreamSubject subject)
        {
            _seen++;
            if (_differs)
            {
                return;
            }

            long value;
            if (!Volatile.Read(ref scope._simple).TryGetValue(KeyOf(subject.SubjectKey, ref _buffer), out value))
            {
                lock (scope._changing)
                {
                    if (!scope._composites.TryGetValue(subject.SubjectKey, out var composite))
                    {
                        _differs = true;
                        return;
                    }

                    value = composite.Value;
                }
            }

            if ((value & 1) != (subject.Included ? 1 : 0) || value <= _previous)
            {
                _differs = true;
                return;
            }

            _previous = value;
        }

        public bool End() => !_differs && _seen == scope.Count;
    }

    /// <summary>
    /// The simple subjects' keys, UTF-8, back to back in one array, each with its decision in an entry
    /// chained from a power-of-two bucket array, in a few arrays the GC never has to trace, where a
    /// dictionary of byte arrays took 140 bytes and two objects a subject (docs/BENCHMARKS.md,
    /// "Subjects and fan-out at scale"). The part of a key up to its last <c>":"</c> (such as
    /// <c>{"format":"email","email":"</c>) is the same for many subjects: it is kept once, and a key
    /// as the number of its prefix and the rest, so an email subject takes about 50 bytes. A subject
    /// once recorded stays (added or removed), so entries are only appended and a key ends where the
    /// next begins; a decision changes in place, in one write. Lock-free reads: an entry (and a new
    /// prefix) is written whole before its bucket names it, and a table that must grow is copied whole
    /// into a new one, which replaces it.
    /// </summary>
    private sealed class KeyTable
    {
        public static readonly KeyTable Empty = new(0, 0, 0, []);

        /// <summary>Prefixes kept at most; a key whose prefix is not among them is kept whole.</summary>
        private const int MaxPrefixes = 255;

        /// <summary>The first byte of a key kept whole.</summary>
        private const byte Whole = MaxPrefixes;

        /// <summary>Per bucket, its latest entry's index + 1; 0 for none.</summary>
        private readonly int[] _buckets;

        private readonly Entry[] _entries;
        private readonly byte[] _keys;
        private int _keysLength;

        /// <summary>Only added to (a new array), and only when no key kept has that prefix, so a key's stored form never changes.</summary>
        private byte[][] _prefixes;

        private KeyTable(int buckets, int entries, int keyBytes, byte[][] prefixes)
        {
            _buckets = new int[buckets];
            _entries = new Entry[entries];
            _keys = new byte[keyBytes];
            _prefixes = prefixes;
        }

        public int Count { get; private set; }

        public bool TryGetValue(ReadOnlySpan<byte> key, out long value)
        {
            Span<byte> buffer = key.Length < 512 ? stackalloc byte[key.Length + 1] : new byte[key.Length + 1];
            var stored = Stored(key, buffer, Volatile.Read(ref _prefixes));
            var at = Find(stored, Hash(stored));
            value = at < 0 ? 0 : Volatile.Read(ref _entries[at].Value);
            return at >= 0;
        }

        /// <summary>Sets a key's value (changes only, one at a time): in this table, or in a larger copy that is returned to replace it.</summary>
        public KeyTable Set(ReadOnlySpan<byte> key, long value, out bool isNew)
        {
            Span<byte> buffer = key.Length < 512 ? stackalloc byte[key.Length + 1] : new byte[key.Length + 1];
            var stored = Stored(key, buffer, _prefixes);
            var at = Find(stored, Hash(stored));
            isNew = at < 0;
            if (!isNew)
            {
                Volatile.Write(ref _entries[at].Value, value);
                return this;
            }

            // Never this table when it is Empty: it has no room.
            var table = this;
            if (Count == _entries.Length || _keysLength + key.Length + 1 > _keys.Length)
            {
                table = CopyInto(Math.Max(4, Count * 2), (int)Math.Min(Array.MaxLength, Math.Max(256, Math.Max(_keysLength * 2L, _keysLength + key.Length + 1))));
            }

            // No key kept has a prefix that is not listed yet (it would have listed it, or the list is full).
            var prefix = key[..PrefixLength(key)];
            if (prefix.Length > 0 && table._prefixes.Length < MaxPrefixes && IndexOf(table._prefixes, prefix) < 0)
            {
                Volatile.Write(ref table._prefixes, [.. table._prefixes, prefix.ToArray()]);
                stored = Stored(key, buffer, table._prefixes);
            }

            table.Append(stored, Hash(stored), value);
            return table;
        }

        /// <summary>A copy without the room left for growing.</summary>
        public KeyTable Trimmed() =>
            Count == _entries.Length && _keysLength == _keys.Length ? this : CopyInto(Count, _keysLength);

        private static int Hash(ReadOnlySpan<byte> key)
        {
            var hash = default(HashCode);
            hash.AddBytes(key);
            return hash.ToHashCode();
        }

        /// <summary>The bytes up to the key's last <c>":"</c>, where its last value begins; 0 when there is none.</summary>
        private static int PrefixLength(ReadOnlySpan<byte> key)
        {
            var at = key.LastIndexOf("\":\""u8);
            return at < 0 ? 0 : at + 3;
        }

        private static int IndexOf(byte[][] prefixes, ReadOnlySpan<byte> prefix)
        {
            for (var i = 0; i < prefixes.Length; i++)
            {
                if (prefix.SequenceEqual(prefixes[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The key as kept: the number of its prefix and the rest, or <see cref="Whole"/> and the key.</summary>
        private static ReadOnlySpan<byte> Stored(ReadOnlySpan<byte> key, Span<byte> buffer, byte[][] prefixes)
        {
            var length = PrefixLength(key);
            var prefix = length == 0 ? -1 : IndexOf(prefixes, key[..length]);
            var rest = prefix < 0 ? key : key[length..];
            buffer[0] = prefix < 0 ? Whole : (byte)prefix;
            rest.CopyTo(buffer[1..]);
            return buffer[..(rest.Length + 1)];
        }

        private int Find(ReadOnlySpan<byte> stored, int hash)
        {
            if (_buckets.Length == 0)
            {
                return -1;
            }

            for (var at = Volatile.Read(ref _buckets[hash & (_buckets.Length - 1)]) - 1; at >= 0; at = _entries[at].Next - 1)
            {
                if (KeyAt(at).SequenceEqual(stored))
                {
                    return at;
                }
            }

            return -1;
        }

        private ReadOnlySpan<byte> KeyAt(int at)
        {
            var start = at == 0 ? 0 : _entries[at - 1].KeyEnd;
            return _keys.AsSpan(start, _entries[at].KeyEnd - start);
        }

        private KeyTable CopyInto(int entries, int keyBytes)
        {
            var copy = new KeyTable((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(entries, 1)), entries, keyBytes, _prefixes);
            for (var at = 0; at < Count; at++)
            {
                var stored = KeyAt(at);
                copy.Append(stored, Hash(stored), _entries[at].Value);
            }

            return copy;
        }

        private void Append(ReadOnlySpan<byte> stored, int hash, long value)
        {
            stored.CopyTo(_keys.AsSpan(_keysLength));
            _keysLength += stored.Length;
            ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
            _entries[Count] = new Entry { Value = value, Next = bucket, KeyEnd = _keysLength };

            // Readers find the entry only once it is whole.
            Volatile.Write(ref bucket, Count + 1);
            Count++;
        }

        private struct Entry
        {
            public long Value;

            /// <summary>The next entry of the bucket, index + 1; 0 for none.</summary>
            public int Next;

            /// <summary>Where the key ends in the keys; it starts where the previous entry's ends.</summary>
            public int KeyEnd;
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
