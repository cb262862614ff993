using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>Reads subject identifiers from JSON, checking members against their format (RFC 9493 §3).</summary>
internal static class SubjectIdentifierReader
{
    private static readonly Dictionary<string, string[]> StringMembers = new(StringComparer.Ordinal)
    {
        [SubjectFormats.Account] = ["uri"],
        [SubjectFormats.Email] = ["email"],
        [SubjectFormats.IssuerSubject] = ["iss", "sub"],
        [SubjectFormats.Opaque] = ["id"],
        [SubjectFormats.PhoneNumber] = ["phone_number"],
        [SubjectFormats.Did] = ["url"],
        [SubjectFormats.Uri] = ["uri"],
        [SubjectFormats.JwtId] = ["iss", "jti"],
        [SubjectFormats.SamlAssertionId] = ["issuer", "assertion_id"],
    };

    public static SubjectReadResult Read(JsonElement element, string path)
    {
        var errors = new List<string>();
        var subject = Read(element, path, errors, nested: false);
        if (subject is not null && errors.Count == 0)
        {
            subject.CollectErrorsInternal(errors, path);
        }

        return errors.Count == 0 && subject is not null ? new(subject, []) : new(null, errors);
    }

    private static SubjectIdentifier? Read(JsonElement element, string path, List<string> errors, bool nested)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be a JSON object");
            return null;
        }

        // RISC 1.0 §4: Google's transmitter names the member subject_type; read it when format is absent.
        if (!TryGetString(element, "format", out var format) && !TryGetString(element, "subject_type", out format))
        {
            errors.Add($"{path}.format is required");
            return null;
        }

        if (StringMembers.TryGetValue(format, out var names))
        {
            return ReadStrings(element, path, format, names, errors);
        }

        return format switch
        {
            SubjectFormats.Aliases => ReadAliases(element, path, errors),
            SubjectFormats.IpAddresses => ReadIpAddresses(element, path, errors),
            SubjectFormats.Complex when nested => Fail(errors, $"{path} must be a simple identifier"),
            SubjectFormats.Complex => ReadComplex(element, path, errors),
            SubjectFormats.Scim => ReadScim(element, path, errors),
            _ => new UnknownSubject(format, OtherMembers(element)),
        };
    }

    private static SubjectIdentifier? ReadStrings(JsonElement element, string path, string format, string[] names, List<string> errors)
    {
        var values = new string[names.Length];
        foreach (var member in element.EnumerateObject())
        {
            if (IsFormatMember(member.Name))
            {
                continue;
            }

            var index = Array.IndexOf(names, member.Name);
            if (index < 0)
            {
                // RFC 9493 §3: an identifier MUST NOT contain members its format does not describe.
                errors.Add($"{path}.{member.Name} is not a member of the {format} format");
            }
            else if (member.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{path}.{member.Name} must be a string");
            }
            else
            {
                values[index] = member.Value.GetString()!;
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (values[i] is null)
            {
                errors.Add($"{path}.{names[i]} is required");
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return format switch
        {
            SubjectFormats.Account => new AccountSubject(values[0]),
            SubjectFormats.Email => new EmailSubject(values[0]),
            SubjectFormats.IssuerSubject => new IssSubSubject(values[0], values[1]),
            SubjectFormats.Opaque => new OpaqueSubject(values[0]),
            SubjectFormats.PhoneNumber => new PhoneNumberSubject(values[0]),
            SubjectFormats.Did => new DidSubject(values[0]),
            SubjectFormats.Uri => new UriSubject(values[0]),
            SubjectFormats.JwtId => new JwtIdSubject(values[0], values[1]),
            SubjectFormats.SamlAssertionId => new SamlAssertionIdSubject(values[1], values[0]),
            _ => throw new InvalidOperationException($"No constructor for format {format}."),
        };
    }

    private static SubjectIdentifier? ReadAliases(JsonElement element, string path, List<string> errors)
    {
        if (!element.TryGetProperty("identifiers", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return Fail(errors, $"{path}.identifiers must be an array of identifiers");
        }

        var identifiers = new List<SubjectIdentifier>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var identifier = Read(item, $"{path}.identifiers[{index++}]", errors, nested: true);
            if (identifier is not null)
            {
                identifiers.Add(identifier);
            }
        }

        return RejectOthers(element, path, "aliases", ["identifiers"], errors) ? new AliasesSubject(identifiers) : null;
    }

    private static SubjectIdentifier? ReadIpAddresses(JsonElement element, string path, List<string> errors)
    {
        if (!element.TryGetProperty("ip-addresses", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return Fail(errors, $"{path}.ip-addresses must be an array of strings");
        }

        var addresses = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return Fail(errors, $"{path}.ip-addresses must be an array of strings");
            }

            addresses.Add(item.GetString()!);
        }

        return RejectOthers(element, path, "ip-addresses", ["ip-addresses"], errors) ? new IpAddressesSubject(addresses) : null;
    }

    private static ComplexSubject ReadComplex(JsonElement element, string path, List<string> errors)
    {
        var members = new Dictionary<string, SubjectIdentifier>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (IsFormatMember(member.Name))
            {
                continue;
            }

            var identifier = Read(member.Value, $"{path}.{member.Name}", errors, nested: true);
            if (identifier is not null && !members.TryAdd(member.Name, identifier))
            {
                errors.Add($"{path}.{member.Name} appears twice");
            }
        }

        return new ComplexSubject(members);
    }

    private static ScimSubject? ReadScim(JsonElement element, string path, List<string> errors)
    {
        if (!TryGetString(element, "uri", out var uri))
        {
            errors.Add($"{path}.uri is required and must be a string");
            return null;
        }

        string? externalId = null, id = null;
        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            switch (member.Name)
            {
                case "format" or "uri":
                    break;
                case "externalId" when member.Value.ValueKind == JsonValueKind.String:
                    externalId = member.Value.GetString();
                    break;
                case "id" when member.Value.ValueKind == JsonValueKind.String:
                    id = member.Value.GetString();
                    break;
                case "externalId" or "id":
                    errors.Add($"{path}.{member.Name} must be a string");
                    break;
                default:
                    // RFC 9967 §2.2: other attributes whose uniqueness is server or global may appear.
                    attributes[member.Name] = member.Value.Clone();
                    break;
            }
        }

        return new ScimSubject(uri) { ExternalId = externalId, Id = id, Attributes = attributes };
    }

    private static bool RejectOthers(JsonElement element, string path, string format, string[] allowed, List<string> errors)
    {
        var ok = true;
        foreach (var member in element.EnumerateObject())
        {
            if (!IsFormatMember(member.Name) && Array.IndexOf(allowed, member.Name) < 0)
            {
                errors.Add($"{path}.{member.Name} is not a member of the {format} format");
                ok = false;
            }
        }

        return ok;
    }

    private static Dictionary<string, JsonElement> OtherMembers(JsonElement element)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (!IsFormatMember(member.Name))
            {
                members[member.Name] = member.Value.Clone();
            }
        }

        return members;
    }

    private static bool IsFormatMember(string name) => name is "format" or "subject_type";

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        value = "";
        return false;
    }

    private static SubjectIdentifier? Fail(List<string> errors, string message)
    {
        errors.Add(message);
        return null;
    }
}
