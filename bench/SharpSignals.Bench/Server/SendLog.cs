using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SharpSignals.Bench.Server;

/// <summary>
/// When each numbered SET was sent and when it was delivered, to the timer's precision (a SET's
/// <c>iat</c> has whole seconds only). The number travels in the SET's <c>txn</c>, which the server
/// keeps when it re-issues the SET for an outbound stream (SSF 1.0 §4.1), as <c>e2e-N</c>.
/// </summary>
internal sealed class SendLog(long capacity)
{
    public const string Prefix = "e2e-";

    private static readonly byte[] TxnMember = Encoding.ASCII.GetBytes("\"txn\":\"" + Prefix);

    private readonly long[] _sent = new long[capacity];
    private readonly long[] _received = new long[capacity];

    public static string Txn(long index) => Prefix + index.ToString(CultureInfo.InvariantCulture);

    public void Sent(long index) => _sent[index] = Stopwatch.GetTimestamp();

    /// <summary>Records the arrival of a delivered SET whose <c>txn</c> is one of ours; ignores any other.</summary>
    public void Received(ReadOnlySequence<byte> body, long timestamp)
    {
        if (Index(body) is { } index && index < _received.Length)
        {
            Interlocked.CompareExchange(ref _received[index], timestamp, 0);
        }
    }

    /// <summary>Send-to-delivery times in milliseconds of the SETs delivered, and how many of those sent were not.</summary>
    public (double[] Latencies, long Missing) Latencies()
    {
        var latencies = new List<double>(_sent.Length);
        long missing = 0;
        for (var i = 0; i < _sent.Length; i++)
        {
            if (_sent[i] == 0)
            {
                continue;
            }

            if (_received[i] == 0)
            {
                missing++;
                continue;
            }

            latencies.Add(Stopwatch.GetElapsedTime(_sent[i], _received[i]).TotalMilliseconds);
        }

        return ([.. latencies], missing);
    }

    /// <summary>The send-to-delivery p99 in milliseconds of each run of <paramref name="perSlice"/> SETs sent (a slice of the window), those delivered.</summary>
    public IReadOnlyList<double> SliceP99(long perSlice)
    {
        var slices = new List<double>();
        for (long start = 0; start < _sent.Length; start += perSlice)
        {
            var latencies = new List<double>();
            for (var i = start; i < Math.Min(start + perSlice, _sent.Length); i++)
            {
                if (_sent[i] != 0 && _received[i] != 0)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(_sent[i], _received[i]).TotalMilliseconds);
                }
            }

            if (latencies.Count > 0)
            {
                slices.Add(LoopResult.Percentile([.. latencies], 0.99));
            }
        }

        return slices;
    }

    /// <summary>The N of <c>"txn":"e2e-N"</c> in the payload of a compact JWS.</summary>
    private static long? Index(ReadOnlySequence<byte> body)
    {
        var token = body.IsSingleSegment ? body.FirstSpan : body.ToArray();
        var first = token.IndexOf((byte)'.');
        var second = first < 0 ? -1 : token[(first + 1)..].IndexOf((byte)'.');
        if (second < 0)
        {
            return null;
        }

        var payload = token.Slice(first + 1, second);
        var rented = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(payload.Length));
        try
        {
            if (Base64Url.DecodeFromUtf8(payload, rented, out _, out var written) != OperationStatus.Done)
            {
                return null;
            }

            var claims = rented.AsSpan(0, written);
            var at = claims.IndexOf(TxnMember);
            if (at < 0)
            {
                return null;
            }

            var digits = claims[(at + TxnMember.Length)..];
            var end = digits.IndexOf((byte)'"');
            return end > 0 && long.TryParse(digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
