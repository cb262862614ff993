using System.Buffers;
using System.Text;
using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>
/// A subject identifier (RFC 9493 §3): a JSON object whose <c>format</c> member says which other
/// members it has. SETs carry the primary one as the <c>sub_id</c> claim (SSF 1.0 §4.1.2).
/// </summary>
public abstract record SubjectIdentifier
{
    /// <summary>The identifier format, the value of the <c>format</c> member.</summary>
    public abstract string Format { get; }

    /// <summary>Checks the members the format requires; every problem is reported, prefixed by <paramref name="path"/>.</summary>
    /// <param name="path">Where the identifier sits, such as <c>sub_id</c>.</param>
    /// <returns>The problems found; empty when the identifier is valid.</returns>
    public IReadOnlyList<string> Validate(string path = "sub_id")
    {
        var errors = new List<string>();
        CollectErrors(errors, path);
        return errors;
    }

    /// <summary>
    /// Whether this identifier and <paramref name="other"/> name the same subject under the SSF 1.0
    /// §3.3 rules: simple identifiers match when identical, complex ones when every member present on
    /// both sides matches (a missing member is a wildcard).
    /// </summary>
    /// <param name="other">The identifier to compare with.</param>
    /// <returns><see langword="true"/> when they match.</returns>
    public bool Matches(SubjectIdentifier other) => SubjectMatcher.Matches(this, other);

    /// <summary>Writes the identifier as a JSON object.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        WriteMembers(writer);
        writer.WriteEndObject();
    }

    /// <summary>The identifier as compact JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// A stable text form, equal for identical identifiers: compact JSON with <c>format</c> first and
    /// the other members in ordinal order (every format writes its members sorted). It is what
    /// "identical" means for simple subjects, and a key to index subjects by.
    /// </summary>
    public string CanonicalKey => ToJson();

    /// <summary>Parses a subject identifier, reporting every problem found.</summary>
    /// <param name="element">The JSON object.</param>
    /// <param name="path">Where the identifier sits, for error messages.</param>
    /// <returns>The identifier, or the problems that prevent reading it.</returns>
    public static SubjectReadResult Read(JsonElement element, string path = "sub_id") => SubjectIdentifierReader.Read(element, path);

    /// <summary>Parses a subject identifier from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The identifier.</returns>
    /// <exception cref="FormatException">The text is not a valid subject identifier.</exception>
    public static SubjectIdentifier Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = Read(document.RootElement);
        return result.Subject ?? throw new FormatException(string.Join("; ", result.Errors));
    }

    /// <summary>Writes the members other than <c>format</c>.</summary>
    /// <param name="writer">The writer, inside the identifier's object.</param>
    protected abstract void WriteMembers(Utf8JsonWriter writer);

    /// <summary>Adds a message for every required member that is missing or malformed.</summary>
    /// <param name="errors">Where to add the messages.</param>
    /// <param name="path">Where the identifier sits.</param>
    protected abstract void CollectErrors(List<string> errors, string path);

    internal void CollectErrorsInternal(List<string> errors, string path) => CollectErrors(errors, path);

    /// <summary>Adds an error when <paramref name="value"/> is null or empty.</summary>
    /// <param name="errors">Where to add the message.</param>
    /// <param name="path">Where the identifier sits.</param>
    /// <param name="member">The member name.</param>
    /// <param name="value">The member value.</param>
    /// <returns><see langword="true"/> when the value is present.</returns>
    protected static bool Require(List<string> errors, string path, string member, string? value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!string.IsNullOrEmpty(value))
        {
            return true;
        }

        errors.Add($"{path}.{member} is required");
        return false;
    }
}
