using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Tokens.Events;

/// <summary>
/// Every event type this library knows (SSF, CAEP 1.0, RISC 1.0, SCIM events), with the payload
/// record each is read into and checked against.
/// </summary>
public static class EventCatalog
{
    private static readonly Dictionary<string, EventDescriptor> ByUri = Build();
    private static readonly Dictionary<string, EventDescriptor> ByName =
        ByUri.Values.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every known event type.</summary>
    public static IReadOnlyCollection<EventDescriptor> All => ByUri.Values;

    /// <summary>Finds an event type by its URI, accepting the older mixed-case SCIM spellings.</summary>
    /// <param name="uri">The event type URI.</param>
    /// <param name="descriptor">The event type, when known.</param>
    /// <returns><see langword="true"/> when the type is known.</returns>
    public static bool TryGet(string uri, [NotNullWhen(true)] out EventDescriptor? descriptor) =>
        ByUri.TryGetValue(Normalize(uri), out descriptor);

    /// <summary>Finds an event type by its short name (<c>session-revoked</c>, <c>prov:create:full</c>) or its URI.</summary>
    /// <param name="nameOrUri">The short name or the URI.</param>
    /// <param name="descriptor">The event type, when known.</param>
    /// <returns><see langword="true"/> when the type is known.</returns>
    public static bool TryFind(string nameOrUri, [NotNullWhen(true)] out EventDescriptor? descriptor) =>
        TryGet(nameOrUri, out descriptor) || ByName.TryGetValue(nameOrUri, out descriptor);

    /// <summary>
    /// The canonical spelling of an event type URI: SCIM URIs are lowercase since RFC 9967, while
    /// older drafts wrote <c>urn:ietf:params:SCIM:event:</c> and <c>misc:asyncResp</c>.
    /// </summary>
    /// <param name="uri">The URI as received.</param>
    /// <returns>The URI to compare and store.</returns>
    public static string Normalize(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.StartsWith(EventTypes.Scim.Prefix, StringComparison.OrdinalIgnoreCase) ? uri.ToLowerInvariant() : uri;
    }

    /// <summary>Reads an event payload into its record (or an <see cref="UnknownEvent"/>) and checks it.</summary>
    /// <param name="uri">The event type URI.</param>
    /// <param name="payload">The event object.</param>
    /// <returns>The event, or every problem found.</returns>
    public static EventReadResult Read(string uri, JsonElement payload)
    {
        ArgumentNullException.ThrowIfNull(uri);
        SecurityEvent? read;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return new(null, [$"{uri}: the event payload must be a JSON object"]);
        }

        if (!TryGet(uri, out var descriptor))
        {
            read = new UnknownEvent(uri, payload.Clone());
        }
        else
        {
            try
            {
                read = (SecurityEvent?)payload.Deserialize(descriptor.TypeInfo);
            }
            catch (JsonException ex)
            {
                var member = ex.Path is { Length: > 2 } path ? path[2..] : "payload";
                return new(null, [$"{descriptor.Name}: {member} has the wrong JSON type"]);
            }
        }

        var errors = read?.Validate() ?? ["the event payload is empty"];
        return errors.Count == 0
            ? new(read, [])
            : new(null, errors.Select(e => $"{descriptor?.Name ?? uri}: {e}").ToList());
    }

    /// <summary>Writes an event's payload object.</summary>
    /// <param name="writer">The writer, positioned where the payload goes.</param>
    /// <param name="securityEvent">The event.</param>
    public static void WritePayload(Utf8JsonWriter writer, SecurityEvent securityEvent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(securityEvent);
        if (securityEvent is UnknownEvent unknown)
        {
            unknown.Payload.WriteTo(writer);
        }
        else if (TryGet(securityEvent.EventType, out var descriptor))
        {
            JsonSerializer.Serialize(writer, securityEvent, descriptor.TypeInfo);
        }
        else
        {
            throw new InvalidOperationException($"Event record {securityEvent.GetType().Name} is not in the catalog.");
        }
    }

    /// <summary>The family of an event type, <see cref="EventFamily.Unknown"/> for types not in the catalog.</summary>
    /// <param name="uri">The event type URI.</param>
    /// <returns>The family.</returns>
    public static EventFamily FamilyOf(string uri) => TryGet(uri, out var d) ? d.Family : EventFamily.Unknown;

    /// <summary>Why <paramref name="subject"/> cannot be the <c>sub_id</c> of <paramref name="eventType"/>, or null.</summary>
    internal static string? CheckSubject(string eventType, SubjectIdentifier subject) =>
        TryGet(eventType, out var d) && d.SubjectRule is { } rule ? rule(subject) : null;

    private static Dictionary<string, EventDescriptor> Build()
    {
        var context = EventJsonContext.Default;
        var list = new List<EventDescriptor>();

        // SSF 1.0 §8.1.4.1, §8.1.5: stream events are about the stream, named by an opaque stream_id.
        static string? StreamSubject(SubjectIdentifier s) =>
            s is OpaqueSubject ? null : "SSF stream events need an opaque sub_id holding the stream_id";

        // RFC 9967 §2.2: SCIM events name their resource with a scim identifier.
        static string? ScimSubjectRule(SubjectIdentifier s) =>
            s is ScimSubject ? null : "SCIM events need a sub_id of format scim";

        // RISC 1.0 §2.5, §2.6: the identifier that changed or was recycled is the subject.
        static string? EmailOrPhone(SubjectIdentifier s) =>
            s is EmailSubject or PhoneNumberSubject ? null : "this event needs an email or phone_number sub_id";

        void Add<T>(string uri, EventFamily family, Func<SubjectIdentifier, string?>? rule = null)
            where T : SecurityEvent
        {
            var prefix = family switch
            {
                EventFamily.Ssf => EventTypes.Ssf.Prefix,
                EventFamily.Caep => EventTypes.Caep.Prefix,
                EventFamily.Risc => EventTypes.Risc.Prefix,
                _ => EventTypes.Scim.Prefix,
            };
            list.Add(new EventDescriptor(uri, uri[prefix.Length..], family, typeof(T))
            {
                TypeInfo = context.GetTypeInfo(typeof(T)) ?? throw new InvalidOperationException($"No JSON metadata for {typeof(T).Name}."),
                SubjectRule = rule,
            });
        }

        Add<Verification>(EventTypes.Ssf.Verification, EventFamily.Ssf, StreamSubject);
        Add<StreamUpdated>(EventTypes.Ssf.StreamUpdated, EventFamily.Ssf, StreamSubject);

        Add<SessionRevoked>(EventTypes.Caep.SessionRevoked, EventFamily.Caep);
        Add<TokenClaimsChange>(EventTypes.Caep.TokenClaimsChange, EventFamily.Caep);
        Add<CredentialChange>(EventTypes.Caep.CredentialChange, EventFamily.Caep);
        Add<AssuranceLevelChange>(EventTypes.Caep.AssuranceLevelChange, EventFamily.Caep);
        Add<DeviceComplianceChange>(EventTypes.Caep.DeviceComplianceChange, EventFamily.Caep);
        Add<SessionEstablished>(EventTypes.Caep.SessionEstablished, EventFamily.Caep);
        Add<SessionPresented>(EventTypes.Caep.SessionPresented, EventFamily.Caep);
        Add<RiskLevelChange>(EventTypes.Caep.RiskLevelChange, EventFamily.Caep);

        Add<AccountCredentialChangeRequired>(EventTypes.Risc.AccountCredentialChangeRequired, EventFamily.Risc);
        Add<AccountPurged>(EventTypes.Risc.AccountPurged, EventFamily.Risc);
        Add<AccountDisabled>(EventTypes.Risc.AccountDisabled, EventFamily.Risc);
        Add<AccountEnabled>(EventTypes.Risc.AccountEnabled, EventFamily.Risc);
        Add<IdentifierChanged>(EventTypes.Risc.IdentifierChanged, EventFamily.Risc, EmailOrPhone);
        Add<IdentifierRecycled>(EventTypes.Risc.IdentifierRecycled, EventFamily.Risc, EmailOrPhone);
        Add<CredentialCompromise>(EventTypes.Risc.CredentialCompromise, EventFamily.Risc);
        Add<OptIn>(EventTypes.Risc.OptIn, EventFamily.Risc);
        Add<OptOutInitiated>(EventTypes.Risc.OptOutInitiated, EventFamily.Risc);
        Add<OptOutCancelled>(EventTypes.Risc.OptOutCancelled, EventFamily.Risc);
        Add<OptOutEffective>(EventTypes.Risc.OptOutEffective, EventFamily.Risc);
        Add<RecoveryActivated>(EventTypes.Risc.RecoveryActivated, EventFamily.Risc);
        Add<RecoveryInformationChanged>(EventTypes.Risc.RecoveryInformationChanged, EventFamily.Risc);
        Add<SessionsRevoked>(EventTypes.Risc.SessionsRevoked, EventFamily.Risc);

        Add<ScimFeedAdd>(EventTypes.Scim.FeedAdd, EventFamily.Scim, ScimSubjectRule);
        Add<ScimFeedRemove>(EventTypes.Scim.FeedRemove, EventFamily.Scim, ScimSubjectRule);
        Add<ScimCreateNotice>(EventTypes.Scim.CreateNotice, EventFamily.Scim, ScimSubjectRule);
        Add<ScimCreateFull>(EventTypes.Scim.CreateFull, EventFamily.Scim, ScimSubjectRule);
        Add<ScimPatchNotice>(EventTypes.Scim.PatchNotice, EventFamily.Scim, ScimSubjectRule);
        Add<ScimPatchFull>(EventTypes.Scim.PatchFull, EventFamily.Scim, ScimSubjectRule);
        Add<ScimPutNotice>(EventTypes.Scim.PutNotice, EventFamily.Scim, ScimSubjectRule);
        Add<ScimPutFull>(EventTypes.Scim.PutFull, EventFamily.Scim, ScimSubjectRule);
        Add<ScimDelete>(EventTypes.Scim.Delete, EventFamily.Scim, ScimSubjectRule);
        Add<ScimActivate>(EventTypes.Scim.Activate, EventFamily.Scim, ScimSubjectRule);
        Add<ScimDeactivate>(EventTypes.Scim.Deactivate, EventFamily.Scim, ScimSubjectRule);
        Add<ScimAsyncResponse>(EventTypes.Scim.AsyncResponse, EventFamily.Scim, ScimSubjectRule);

        return list.ToDictionary(d => d.Uri, StringComparer.Ordinal);
    }
}
