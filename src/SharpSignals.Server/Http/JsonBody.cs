using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Http;

/// <summary>
/// A request body read as one JSON object, with typed accessors that record a message for every
/// member of the wrong type, so a handler can report every problem at once.
/// </summary>
internal sealed class JsonBody
{
    /// <summary>Bodies larger than this are refused; stream objects and events are far smaller.</summary>
    public const int MaxBytes = 256 * 1024;

    private JsonBody(JsonElement root, ProblemHttpResult? problem)
    {
        Root = root;
        Problem = problem;
    }

    public JsonElement Root { get; }

    /// <summary>Set when the body is not a JSON object; answer with it.</summary>
    public ProblemHttpResult? Problem { get; }

    public List<string> Errors { get; } = [];

    /// <summary>The media type a JSON body must be sent as, named in the 415 answer.</summary>
    public const string MediaType = "application/json";

    public static async Task<JsonBody> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Every endpoint that takes a JSON body reads it here, so this is the one place the media type
        // is checked. application/json or any +json type (RFC 6839 §3.1), charset or not; anything
        // else (text/plain, XML, a form) is 415 before a byte is read (RFC 9110 §15.5.16). A missing
        // Content-Type is refused too: no client of the server omits it, and RFC 8936 §2.4 shows
        // poll requests as application/json.
        if (!request.HasJsonContentType())
        {
            return new(default, Problems.UnsupportedMediaType($"The body must be sent as {MediaType} (Content-Type: {MediaType})."));
        }

        if (request.ContentLength > MaxBytes)
        {
            return new(default, Problems.PayloadTooLarge($"The body may be at most {MaxBytes} bytes."));
        }

        // Read at most one byte past the limit, so an oversized body is refused without being buffered.
        // The buffer is pooled: nothing keeps it past this method, the root element is cloned out of it.
        var capacity = (int)Math.Min(request.ContentLength ?? MaxBytes + 1, MaxBytes + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            var length = 0;
            int read;
            while (length < capacity && (read = await request.Body.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return new(default, Problems.PayloadTooLarge($"The body may be at most {MaxBytes} bytes."));
            }

            // JSON text is UTF-8 (RFC 8259 §8.1). JsonDocument.Parse does not check the bytes inside
            // strings, so a handler reading one would throw later; it is refused here instead.
            if (!Utf8.IsValid(buffer.AsSpan(0, length)))
            {
                return new(default, Problems.BadRequest("The body is not valid UTF-8 (RFC 8259 §8.1)."));
            }

            if (LoneSurrogateMember(buffer.AsSpan(0, length)) is { } member)
            {
                return new(default, Problems.BadRequest(LoneSurrogateMessage(member), [$"{member} must not hold an unpaired surrogate"]));
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new(document.RootElement.Clone(), null)
                : new(default, Problems.BadRequest("The body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return new(default, Problems.BadRequest($"The body is not valid JSON: {ex.Message}"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Why JSON holding an escaped lone surrogate at <paramref name="member"/> is refused.</summary>
    public static string LoneSurrogateMessage(string member) =>
        $"{member} holds an unpaired surrogate escape (such as \\ud800), which I-JSON forbids (RFC 7493 §2.1).";

    /// <summary>
    /// The member (a JSON Pointer, RFC 6901) whose name or string value is an escaped lone surrogate,
    /// or null. JSON parsers accept one but .NET cannot turn it into a string, so every handler would
    /// throw on it later; it is refused first, here for request bodies and for WebSocket frames.
    /// </summary>
    public static string? LoneSurrogateMember(ReadOnlySpan<byte> json)
    {
        // The token library's scan finds whether there is one without decoding anything; only then
        // is the body walked to name the member.
        if (!LoneSurrogates.Contain(json))
        {
            return null;
        }

        var path = new List<string>();
        var arrayIndexes = new Stack<int>(); // -1 for an object
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    arrayIndexes.Pop();
                    path.RemoveAt(path.Count - 1);
                    Next(arrayIndexes);
                    continue;
                }

                if (token == JsonTokenType.PropertyName)
                {
                    if (!Decodes(ref reader, out var name))
                    {
                        return Pointer(path) + " (a member name)";
                    }

                    path[^1] = name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                    continue;
                }

                // A value: inside an array, its place is its index.
                if (arrayIndexes.TryPeek(out var index) && index >= 0)
                {
                    path[^1] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    arrayIndexes.Push(token == JsonTokenType.StartArray ? 0 : -1);
                    path.Add("");
                    continue;
                }

                if (token == JsonTokenType.String && !Decodes(ref reader, out _))
                {
                    return Pointer(path);
                }

                Next(arrayIndexes);
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: JsonDocument.Parse says where.
        }

        return null;

        static void Next(Stack<int> arrayIndexes)
        {
            if (arrayIndexes.TryPeek(out var index) && index >= 0)
            {
                arrayIndexes.Push(arrayIndexes.Pop() + 1);
            }
        }

        static bool Decodes(ref Utf8JsonReader reader, out string value)
        {
            try
            {
                value = reader.GetString()!;
                return true;
            }
            catch (InvalidOperationException)
            {
                value = "";
                return false;
            }
        }

        static string Pointer(List<string> path) => path.Count == 0 ? "/" : "/" + string.Join('/', path);
    }

    /// <summary>A JSON object nested in another body (such as the <c>event</c> of a broadcast), read the same way.</summary>
    public static JsonBody Of(JsonElement element) => new(element, null);

    public bool Has(string name) => Root.TryGetProperty(name, out _);

    public string? String(string name) => Read(name, JsonValueKind.String, "a string", e => e.GetString());

    public bool? Boolean(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : Read<bool?>(name, JsonValueKind.True, "true or false", _ => null);

    public long? Int64(string name) => Read(name, JsonValueKind.Number, "an integer", e => e.TryGetInt64(out var v) ? v : Invalid<long?>(name, "an integer"));

    public JsonElement? Object(string name) => Read<JsonElement?>(name, JsonValueKind.Object, "a JSON object", e => e);

    public IReadOnlyList<string>? StringArray(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
        {
            return value.EnumerateArray().Select(v => v.GetString()!).ToList();
        }

        Errors.Add($"{name} must be an array of strings");
        return null;
    }

    private T? Read<T>(string name, JsonValueKind kind, string description, Func<JsonElement, T?> read)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        return value.ValueKind == kind ? read(value) : Invalid<T>(name, description);
    }

    private T? Invalid<T>(string name, string description)
    {
        Errors.Add($"{name} must be {description}");
        return default;
    }
}
