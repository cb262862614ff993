using System.Buffers;
using System.Text.Json;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Storage.Events;

/// <summary>
/// What an event is found by in a subject search (<see cref="EventQuery.Subject"/>, docs/API.md,
/// "Administration"): for every string value <c>v</c> in the SET's <c>sub_id</c>, of any member but
/// <c>format</c> and at any depth (the members of a <c>complex</c> identifier, each of <c>aliases</c>,
/// each address of <c>ip-addresses</c>), both <c>v</c> and <c>f:v</c>, where <c>f</c> is the
/// <c>format</c> of the identifier holding it. So <c>{"format":"email","email":"alice@example.com"}</c>
/// is found by <c>alice@example.com</c> and by <c>email:alice@example.com</c>. Values match exactly,
/// case and all.
/// </summary>
public static class EventSubjects
{
    /// <summary>At most this many keys per event, so that one odd subject cannot bloat the index.</summary>
    public const int MaxKeys = 16;

    /// <summary>A value longer than this is not indexed: nobody types it into a search.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The distinct search keys of a subject identifier, in the order its values appear; none for no subject.</summary>
    /// <param name="subject">The SET's <c>sub_id</c>, if any.</param>
    /// <returns>The keys, at most <see cref="MaxKeys"/>.</returns>
    public static IReadOnlyList<string> KeysOf(SubjectIdentifier? subject)
    {
        if (subject is null)
        {
            return [];
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            subject.WriteTo(writer);
        }

        // Every identifier writes its format first (SubjectIdentifier.WriteTo), so the format of the
        // innermost open identifier is known before any of its values.
        var keys = new List<string>(2);
        var formats = new List<string?>(2);
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        var isFormat = false;
        while (reader.Read() && keys.Count < MaxKeys)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    formats.Add(null);
                    break;
                case JsonTokenType.EndObject:
                    formats.RemoveAt(formats.Count - 1);
                    break;
                case JsonTokenType.PropertyName:
                    isFormat = reader.ValueTextEquals("format"u8);
                    break;
                case JsonTokenType.String when isFormat:
                    formats[^1] = reader.GetString();
                    isFormat = false;
                    break;
                case JsonTokenType.String:
                    var value = reader.GetString()!;
                    if (value.Length is > 0 and <= MaxValueLength)
                    {
                        Add(keys, value);
                        Add(keys, $"{formats[^1]}:{value}");
                    }

                    break;
                default:
                    isFormat = false;
                    break;
            }
        }

        return keys;
    }

    private static void Add(List<string> keys, string key)
    {
        if (keys.Count < MaxKeys && !keys.Contains(key, StringComparer.Ordinal))
        {
            keys.Add(key);
        }
    }
}
