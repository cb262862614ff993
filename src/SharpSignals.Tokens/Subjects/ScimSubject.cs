using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>
/// RFC 9967 §2.2: a SCIM resource, by its <c>uri</c> relative to the SCIM base (such as
/// <c>/Users/2819c223</c>), optionally with <c>externalId</c>, <c>id</c> and attributes that are unique
/// on the server (such as <c>userName</c>).
/// </summary>
/// <param name="Uri">The resource path, required.</param>
public sealed record ScimSubject(string Uri) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.Scim;

    /// <summary>The client's identifier for the resource.</summary>
    public string? ExternalId { get; init; }

    /// <summary>The server's identifier for the resource (kept for backward compatibility).</summary>
    public string? Id { get; init; }

    /// <summary>Other unique attributes of the resource, such as <c>userName</c> or <c>emails</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Attributes { get; init; } = new Dictionary<string, JsonElement>();

    /// <inheritdoc/>
    public bool Equals(ScimSubject? other) => other is not null && CanonicalKey == other.CanonicalKey;

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var members = new SortedDictionary<string, Action>(StringComparer.Ordinal)
        {
            ["uri"] = () => writer.WriteString("uri", Uri),
        };
        if (ExternalId is not null)
        {
            members["externalId"] = () => writer.WriteString("externalId", ExternalId);
        }

        if (Id is not null)
        {
            members["id"] = () => writer.WriteString("id", Id);
        }

        foreach (var (name, value) in Attributes)
        {
            members.TryAdd(name, () =>
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            });
        }

        foreach (var write in members.Values)
        {
            write();
        }
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        if (Require(errors, path, "uri", Uri) && !System.Uri.IsWellFormedUriString(Uri, UriKind.RelativeOrAbsolute))
        {
            errors.Add($"{path}.uri must be a URI path such as /Users/2819c223");
        }
    }
}
