using System.Buffers;
using System.Text;
using System.Text.Json;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Tokens.Sets;

/// <summary>Reads and writes the JSON claims set of a SET.</summary>
public static class SetPayload
{
    // Claim names are plain ASCII, which no encoder escapes: pre-encoded, they are copied, not transcoded.
    private static readonly JsonEncodedText IssuerName = JsonEncodedText.Encode(SetClaimNames.Issuer);
    private static readonly JsonEncodedText IssuedAtName = JsonEncodedText.Encode(SetClaimNames.IssuedAt);
    private static readonly JsonEncodedText JtiName = JsonEncodedText.Encode(SetClaimNames.Jti);
    private static readonly JsonEncodedText AudienceName = JsonEncodedText.Encode(SetClaimNames.Audience);
    private static readonly JsonEncodedText TxnName = JsonEncodedText.Encode(SetClaimNames.Txn);
    private static readonly JsonEncodedText TimeOfEventName = JsonEncodedText.Encode(SetClaimNames.TimeOfEvent);
    private static readonly JsonEncodedText SubjectIdName = JsonEncodedText.Encode(SetClaimNames.SubjectId);
    private static readonly JsonEncodedText EventsName = JsonEncodedText.Encode(SetClaimNames.Events);

    /// <summary>The claims <see cref="Read(JsonElement)"/> looks at; other names are ignored.</summary>
    private static readonly string[] ReadClaims =
    [
        SetClaimNames.Issuer, SetClaimNames.Jti, SetClaimNames.IssuedAt, SetClaimNames.TimeOfEvent, SetClaimNames.Txn,
        SetClaimNames.Audience, SetClaimNames.SubjectId, SetClaimNames.Events, SetClaimNames.Subject, SetClaimNames.Expires,
    ];

    private static readonly byte[][] ReadClaimsUtf8 = [.. ReadClaims.Select(Encoding.UTF8.GetBytes)];

    /// <summary>A writer and its buffer, kept per thread between SETs; see <see cref="RentUtf8"/>.</summary>
    [ThreadStatic]
    private static Utf8Payload? _threadPayload;

    /// <summary>Writes the claims as compact JSON.</summary>
    /// <param name="set">The claims.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(SecurityEventToken set)
    {
        var payload = RentUtf8(set);
        try
        {
            return Encoding.UTF8.GetString(payload.WrittenSpan);
        }
        finally
        {
            Return(payload);
        }
    }

    /// <summary>
    /// Writes the claims as compact UTF-8 JSON, the bytes <see cref="ToJson"/> decodes, into a buffer the
    /// calling thread reuses. Hand it back with <see cref="Return"/> once the bytes are used.
    /// </summary>
    internal static Utf8Payload RentUtf8(SecurityEventToken set)
    {
        var payload = _threadPayload ?? new Utf8Payload();
        _threadPayload = null;
        payload.Reset();
        Write(payload.Writer, set);
        payload.Writer.Flush();
        return payload;
    }

    /// <summary>Keeps a buffer from <see cref="RentUtf8"/> for the thread's next SET, unless an outsized claims set grew it.</summary>
    internal static void Return(Utf8Payload payload)
    {
        if (payload.Buffer.Capacity <= Utf8Payload.MaxKeptCapacity)
        {
            _threadPayload = payload;
        }
    }

    /// <summary>Writes the claims as a JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="set">The claims.</param>
    public static void Write(Utf8JsonWriter writer, SecurityEventToken set)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(set);
        writer.WriteStartObject();
        writer.WriteString(IssuerName, set.Issuer);
        writer.WriteNumber(IssuedAtName, set.IssuedAt.ToUnixTimeSeconds());
        writer.WriteString(JtiName, set.Jti);
        if (set.Audience.Count == 1)
        {
            writer.WriteString(AudienceName, set.Audience[0]);
        }
        else if (set.Audience.Count > 1)
        {
            writer.WriteStartArray(AudienceName);
            foreach (var audience in set.Audience)
            {
                writer.WriteStringValue(audience);
            }

            writer.WriteEndArray();
        }

        if (set.Txn is not null)
        {
            writer.WriteString(TxnName, set.Txn);
        }

        if (set.TimeOfEvent is { } toe)
        {
            writer.WriteNumber(TimeOfEventName, toe.ToUnixTimeSeconds());
        }

        if (set.Subject is not null)
        {
            writer.WritePropertyName(SubjectIdName);
            set.Subject.WriteTo(writer);
        }

        writer.WriteStartObject(EventsName);
        foreach (var securityEvent in set.Events)
        {
            writer.WritePropertyName(securityEvent.EventType);
            EventCatalog.WritePayload(writer, securityEvent);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads a claims set, checking claim types, the forbidden <c>sub</c> and <c>exp</c> (SSF 1.0
    /// §4.1.2), the subject and every event payload. Unknown claims are ignored.
    /// </summary>
    /// <param name="json">The UTF-8 JSON claims set.</param>
    /// <returns>The SET, or every problem found.</returns>
    public static SetPayloadReadResult Read(ReadOnlySpan<byte> json)
    {
        var copy = ArrayPool<byte>.Shared.Rent(json.Length);
        try
        {
            json.CopyTo(copy);
            return ReadUtf8(copy.AsMemory(0, json.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary><see cref="Read(ReadOnlySpan{byte})"/> over bytes the caller keeps unchanged until it returns.</summary>
    internal static SetPayloadReadResult ReadUtf8(ReadOnlyMemory<byte> json)
    {
        if (LoneSurrogates.Contain(json.Span))
        {
            return new(null, ["the claims set holds a \\u escape of half a surrogate pair, which is not a Unicode character (RFC 7493 §2.1)"]);
        }

        // A claims set is one JSON value, which JsonDocument.Parse takes in a single pass over the bytes
        // the caller holds. ParseValue first steps over the value with the reader and then parses a copy;
        // it still decides whenever Parse refuses, because it accepts what follows the first value.
        JsonDocument? document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            document = null;
        }

        if (document is null)
        {
            return ReadFirstValue(json.Span);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static SetPayloadReadResult ReadFirstValue(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return new(null, ["the claims set is not valid JSON"]);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static SetPayloadReadResult Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new(null, ["the claims set must be a JSON object"]);
        }

        var errors = new List<string>();
        string? issuer = null, jti = null, txn = null;
        long? iat = null, toe = null;
        var audience = new List<string>();
        SubjectIdentifier? subject = null;
        var events = new List<SecurityEvent>();
        var sawEvents = false;

        foreach (var claim in root.EnumerateObject())
        {
            switch (KnownName(claim))
            {
                case SetClaimNames.Issuer:
                    issuer = ReadString(claim, errors);
                    break;
                case SetClaimNames.Jti:
                    jti = ReadString(claim, errors);
                    break;
                case SetClaimNames.IssuedAt:
                    iat = ReadNumericDate(claim, errors);
                    break;
                case SetClaimNames.TimeOfEvent:
                    toe = ReadNumericDate(claim, errors);
                    break;
                case SetClaimNames.Txn:
                    // SSF 1.0 §4.1.4: txn is a string; early examples used numbers, which are kept as text.
                    txn = claim.Value.ValueKind == JsonValueKind.Number ? claim.Value.GetRawText() : ReadString(claim, errors);
                    break;
                case SetClaimNames.Audience:
                    ReadAudience(claim.Value, audience, errors);
                    break;
                case SetClaimNames.SubjectId:
                    var subjectResult = SubjectIdentifier.Read(claim.Value);
                    subject = subjectResult.Subject;
                    errors.AddRange(subjectResult.Errors);
                    break;
                case SetClaimNames.Events:
                    sawEvents = true;
                    ReadEvents(claim.Value, events, errors);
                    break;
                case SetClaimNames.Subject:
                    errors.Add("sub must not appear in a SET; the subject goes in sub_id (SSF 1.0 §4.1.2)");
                    break;
                case SetClaimNames.Expires:
                    errors.Add("exp must not appear in a SET (SSF 1.0 §4.1.2)");
                    break;
            }
        }

        Missing(errors, issuer is not null, SetClaimNames.Issuer);
        Missing(errors, jti is not null, SetClaimNames.Jti);
        Missing(errors, iat is not null, SetClaimNames.IssuedAt);
        if (!sawEvents)
        {
            errors.Add("events is required");
        }

        if (errors.Count > 0)
        {
            return new(null, errors);
        }

        var set = new SecurityEventToken
        {
            Issuer = issuer!,
            Jti = jti!,
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(iat!.Value),
            Audience = audience,
            Txn = txn,
            TimeOfEvent = toe is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null,
            Subject = subject,
            Events = events,
        };
        var ruleErrors = SetClaimsRules.Check(set);
        return ruleErrors.Count == 0 ? new(set, []) : new(null, ruleErrors);
    }

    /// <summary>The claim's name when it is one that is read, compared as UTF-8 so that no other name becomes a string.</summary>
    private static string? KnownName(JsonProperty claim)
    {
        for (var i = 0; i < ReadClaimsUtf8.Length; i++)
        {
            if (claim.NameEquals(ReadClaimsUtf8[i]))
            {
                return ReadClaims[i];
            }
        }

        return null;
    }

    private static void ReadEvents(JsonElement value, List<SecurityEvent> events, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("events must be a JSON object");
            return;
        }

        foreach (var member in value.EnumerateObject())
        {
            var result = EventCatalog.Read(member.Name, member.Value);
            if (result.Event is not null)
            {
                events.Add(result.Event);
            }

            errors.AddRange(result.Errors);
        }

        if (events.Count == 0 && errors.Count == 0)
        {
            errors.Add("events must hold one event");
        }
    }

    private static void ReadAudience(JsonElement value, List<string> audience, List<string> errors)
    {
        // RFC 7519 §4.1.3: a single string or an array of strings.
        if (value.ValueKind == JsonValueKind.String)
        {
            audience.Add(value.GetString()!);
            return;
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String))
        {
            audience.AddRange(value.EnumerateArray().Select(a => a.GetString()!));
            return;
        }

        errors.Add("aud must be a string or an array of strings");
    }

    private static string? ReadString(JsonProperty claim, List<string> errors)
    {
        if (claim.Value.ValueKind == JsonValueKind.String)
        {
            return claim.Value.GetString();
        }

        errors.Add($"{claim.Name} must be a string");
        return null;
    }

    private static long? ReadNumericDate(JsonProperty claim, List<string> errors)
    {
        // RFC 7519 §2: NumericDate is a JSON number of seconds, possibly fractional.
        if (claim.Value.ValueKind == JsonValueKind.Number)
        {
            // Bounded to what DateTimeOffset can hold (years 1 to 9999).
            if (claim.Value.TryGetDouble(out var seconds) && seconds is >= -62135596800 and < 253402300800)
            {
                return (long)Math.Floor(seconds);
            }
        }

        errors.Add($"{claim.Name} must be a NumericDate (seconds since the epoch)");
        return null;
    }

    private static void Missing(List<string> errors, bool present, string name)
    {
        if (!present && !Mentions(errors, name))
        {
            errors.Add($"{name} is required");
        }
    }

    /// <summary>Whether a problem with the claim was already reported; kept apart so that its closure is made only for a missing claim.</summary>
    private static bool Mentions(List<string> errors, string name) =>
        errors.Exists(e => e.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>A UTF-8 buffer with a writer bound to it, reused across SETs.</summary>
    internal sealed class Utf8Payload
    {
        /// <summary>Larger buffers are let go rather than kept for the thread's next SET.</summary>
        internal const int MaxKeptCapacity = 16 * 1024;

        internal ArrayBufferWriter<byte> Buffer { get; } = new(1024);

        internal Utf8JsonWriter Writer { get; }

        internal Utf8Payload() => Writer = new Utf8JsonWriter(Buffer);

        internal ReadOnlySpan<byte> WrittenSpan => Buffer.WrittenSpan;

        internal void Reset()
        {
            Buffer.ResetWrittenCount();
            Writer.Reset(Buffer);
        }
    }
}
