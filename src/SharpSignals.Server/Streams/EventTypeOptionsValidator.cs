using Microsoft.Extensions.Options;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Streams;

/// <summary>Every custom event type is a URI (RFC 8417 §2.2), and none is a catalog short name; all mistakes reported together.</summary>
internal sealed class EventTypeOptionsValidator : IValidateOptions<EventTypeOptions>
{
    public ValidateOptionsResult Validate(string? name, EventTypeOptions options)
    {
        var errors = new List<string>();
        Check($"{EventTypeOptions.Section}:CustomTypes", options.CustomTypes, errors);
        foreach (var (project, types) in options.Projects)
        {
            Check($"{EventTypeOptions.Section}:Projects:{project}:CustomTypes", types.CustomTypes, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string key, string[] types, List<string> errors)
    {
        for (var i = 0; i < types.Length; i++)
        {
            var type = types[i];
            if (EventCatalog.TryFind(type, out var descriptor) && !EventCatalog.TryGet(type, out _))
            {
                errors.Add($"{key}:{i} '{type}' is the catalog's short name for {descriptor.Uri}, which needs no declaring.");
            }
            else if (!Uri.TryCreate(type, UriKind.Absolute, out _))
            {
                errors.Add($"{key}:{i} '{type}' must be an event type URI (https://... or urn:...).");
            }
        }
    }
}
