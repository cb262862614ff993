using System.Text.Json.Serialization.Metadata;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Tokens.Events;

/// <summary>What the catalog knows about one event type.</summary>
/// <param name="Uri">The event type URI.</param>
/// <param name="Name">The short name, the URI without its family prefix (<c>session-revoked</c>, <c>prov:create:full</c>).</param>
/// <param name="Family">The specification the type comes from.</param>
/// <param name="RecordType">The payload record.</param>
public sealed record EventDescriptor(string Uri, string Name, EventFamily Family, Type RecordType)
{
    internal JsonTypeInfo TypeInfo { get; init; } = null!;

    /// <summary>Returns why a subject cannot be this event's <c>sub_id</c>, or null when it can.</summary>
    internal Func<SubjectIdentifier, string?>? SubjectRule { get; init; }
}
