using System.Globalization;
using BenchmarkDotNet.Reports;

namespace SharpSignals.Bench.Tokens;

/// <summary>
/// After a run of <see cref="EncryptionBenchmarks"/> and <see cref="EncryptionSignBaselines"/>, prints
/// the raw ES256 sign rate, each pair's encrypt and decrypt rates, and what encryption adds to a SET:
/// sign and encrypt, less sign alone measured just before it, in microseconds. Medians, as
/// <c>RatioReport</c> uses.
/// </summary>
public static class EncryptionReport
{
    /// <summary>Writes the report when the run measured encryption; nothing otherwise.</summary>
    /// <param name="summaries">Every summary of the run.</param>
    /// <param name="output">Where to write.</param>
    public static void Write(IReadOnlyList<Summary> summaries, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(output);
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        double? Median(string method, string? pair = null) => reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && (pair is null || (string?)r.BenchmarkCase.Parameters["Pair"] == pair))?.ResultStatistics!.Median;

        if (Median(nameof(EncryptionSignBaselines.RawSign)) is not { } rawSign)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("Encrypted SETs (ES256-signed, one recipient key): rates from median times, all in this run");
        output.WriteLine(Invariant($"raw ES256 sign {Rate(rawSign)}/s ({Micro(rawSign)} µs)"));
        output.WriteLine("| alg | enc | sign | encrypt | decrypt | sign and encrypt | encryption cost per SET |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var pair in EncryptionBenchmarks.Pairs())
        {
            var names = pair.Split(' ');
            output.WriteLine(Median(nameof(EncryptionBenchmarks.Sign), pair) is { } sign
                && Median(nameof(EncryptionBenchmarks.Encrypt), pair) is { } encrypt
                && Median(nameof(EncryptionBenchmarks.Decrypt), pair) is { } decrypt
                && Median(nameof(EncryptionBenchmarks.SignAndEncrypt), pair) is { } both
                ? Invariant($"| {names[0]} | {names[1]} | {Rate(sign)}/s | {Rate(encrypt)}/s | {Rate(decrypt)}/s | {Rate(both)}/s | {Micro(both - sign)} µs |")
                : $"| {names[0]} | {names[1]} | no result | | | | |");
        }
    }

    private static string Rate(double nanoseconds) => (1e9 / nanoseconds).ToString("N0", CultureInfo.InvariantCulture);

    private static string Micro(double nanoseconds) => (nanoseconds / 1e3).ToString("N1", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
