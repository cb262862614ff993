using SharpSignals.Tokens.Events;

namespace SharpSignals.Tokens.Sets;

/// <summary>The claim rules of RFC 8417 §2.2 and SSF 1.0 §4.1 that apply to building and receiving alike.</summary>
internal static class SetClaimsRules
{
    public static IReadOnlyList<string> Check(SecurityEventToken set)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(set.Issuer))
        {
            errors.Add("iss is required");
        }

        if (string.IsNullOrEmpty(set.Jti))
        {
            errors.Add("jti is required");
        }

        if (set.Audience.Any(string.IsNullOrEmpty))
        {
            errors.Add("aud values must not be empty");
        }

        if (set.Events is null || set.Events.Count == 0)
        {
            errors.Add("events must hold one event");
            return errors;
        }

        CheckEventCount(set.Events, errors);
        foreach (var securityEvent in set.Events)
        {
            errors.AddRange(securityEvent.Validate().Select(e => $"{Describe(securityEvent)}: {e}"));
        }

        if (set.Subject is null)
        {
            // SSF 1.0 §4.1.2: sub_id carries the subject; CAEP and RISC types defined before SSF may
            // still name it in the event's own subject member.
            if (!set.Events.Any(e => e.AdditionalMembers?.ContainsKey("subject") == true))
            {
                errors.Add("sub_id is required");
            }
        }
        else
        {
            errors.AddRange(set.Subject.Validate());
            foreach (var securityEvent in set.Events)
            {
                if (EventCatalog.CheckSubject(securityEvent.EventType, set.Subject) is { } problem)
                {
                    errors.Add($"sub_id: {problem}");
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// RFC 8417 §2.2 and SSF 1.0 §4.1.3: one logical event per SET. Several URIs are allowed only as
    /// facets of one change, which among the known families only SCIM defines (RFC 9967).
    /// </summary>
    private static void CheckEventCount(IReadOnlyList<SecurityEvent> events, List<string> errors)
    {
        if (events.Count == 1)
        {
            return;
        }

        if (events.Select(e => EventCatalog.Normalize(e.EventType)).Distinct(StringComparer.Ordinal).Count() != events.Count)
        {
            errors.Add("events names the same event type twice");
        }

        if (!events.All(e => EventCatalog.FamilyOf(e.EventType) == EventFamily.Scim))
        {
            errors.Add("events must hold exactly one event; only SCIM events may be combined as facets of one change");
        }
    }

    private static string Describe(SecurityEvent e) =>
        EventCatalog.TryGet(e.EventType, out var d) ? d.Name : e.EventType;
}
