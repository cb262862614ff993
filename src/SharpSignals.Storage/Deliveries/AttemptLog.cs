using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// The form both stores keep an entry's last attempts in: a JSON array in the entry's own row
/// (<c>attempt_log</c>), oldest first, appended to by the same statement that settles the entry or
/// schedules its retry, so that recording an attempt costs no row, index or round trip of its own,
/// and retention removes the attempts with their entry.
/// </summary>
public static class AttemptLog
{
    /// <summary>How many attempts an entry keeps when the store is not told otherwise.</summary>
    public const int DefaultKept = 10;

    /// <summary>One attempt as a JSON object, the value the stores append.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <returns>Its JSON.</returns>
    public static string Write(DeliveryAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return JsonSerializer.Serialize(Stored(attempt), AttemptLogJsonContext.Default.StoredAttempt);
    }

    /// <summary>Delivered entries as a JSON array of <c>[jti, attempt]</c> pairs, one parameter for a whole batch.</summary>
    /// <param name="delivered">The entries and their attempts.</param>
    /// <returns>The JSON.</returns>
    public static string WritePairs(IReadOnlyCollection<DeliveredEntry> delivered)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        var buffer = new ArrayBufferWriter<byte>(delivered.Count * 96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var entry in delivered)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(entry.Jti);
                JsonSerializer.Serialize(writer, Stored(entry.Attempt), AttemptLogJsonContext.Default.StoredAttempt);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>An entry's kept attempts, oldest first, at most the last <paramref name="kept"/>.</summary>
    /// <param name="json">The stored array; null when the entry has none.</param>
    /// <param name="kept">How many to return at most (fewer are kept once the setting was lowered, one per new attempt).</param>
    /// <returns>The attempts.</returns>
    public static IReadOnlyList<DeliveryAttempt> Read(string? json, int kept)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        var stored = JsonSerializer.Deserialize(json, AttemptLogJsonContext.Default.StoredAttemptArray) ?? [];
        return [.. stored.Skip(Math.Max(0, stored.Length - kept)).Select(s => new DeliveryAttempt(
            DateTimeOffset.FromUnixTimeMilliseconds(s.At),
            s.Status,
            s.Error,
            s.Description,
            s.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            s.Response))];
    }

    private static StoredAttempt Stored(DeliveryAttempt attempt) => new(
        attempt.At.ToUnixTimeMilliseconds(),
        attempt.Status,
        attempt.Error,
        attempt.Description,
        attempt.Duration is { } duration ? Math.Round(duration.TotalMilliseconds, 1) : null,
        attempt.Response);
}

/// <summary>One attempt as stored: Unix milliseconds and short names, null members left out.</summary>
internal sealed record StoredAttempt(
    [property: JsonPropertyName("at")] long At,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("err")] string? Error,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("ms")] double? DurationMs,
    [property: JsonPropertyName("response")] string? Response);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredAttempt))]
[JsonSerializable(typeof(StoredAttempt[]))]
internal sealed partial class AttemptLogJsonContext : JsonSerializerContext;
