using System.Text.Json.Nodes;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Cli.Events;

/// <summary>
/// Payloads and subjects that make a valid event of each catalog type, for <c>ssf event generate</c>:
/// the members each type requires, filled with plausible values. <c>--field</c> overrides them.
/// </summary>
internal static class EventSamples
{
    public static JsonObject Payload(string uri) => uri switch
    {
        EventTypes.Caep.CredentialChange => new() { ["credential_type"] = "password", ["change_type"] = "update" },
        EventTypes.Caep.AssuranceLevelChange => new() { ["namespace"] = "nist-aal", ["current_level"] = "aal2", ["previous_level"] = "aal1", ["change_direction"] = "increase" },
        EventTypes.Caep.DeviceComplianceChange => new() { ["previous_status"] = "compliant", ["current_status"] = "not-compliant" },
        EventTypes.Caep.RiskLevelChange => new() { ["principal"] = "USER", ["current_level"] = "HIGH" },
        EventTypes.Caep.TokenClaimsChange => new() { ["claims"] = new JsonObject { ["role"] = "user" } },
        EventTypes.Risc.CredentialCompromise => new() { ["credential_type"] = "password" },
        EventTypes.Risc.AccountDisabled => new() { ["reason"] = "hijacking" },
        EventTypes.Scim.CreateFull or EventTypes.Scim.PutFull or EventTypes.Scim.PatchFull => new()
        {
            ["data"] = new JsonObject
            {
                ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:User"),
                ["userName"] = "generated",
            },
        },
        EventTypes.Scim.CreateNotice or EventTypes.Scim.PutNotice or EventTypes.Scim.PatchNotice => new() { ["attributes"] = new JsonArray("userName") },
        EventTypes.Scim.AsyncResponse => new() { ["status"] = "201" },
        _ => [],
    };

    /// <summary>The <paramref name="index"/>th generated subject: a SCIM resource for SCIM events, else an e-mail address.</summary>
    public static JsonObject Subject(string uri, int index) =>
        EventCatalog.FamilyOf(uri) == EventFamily.Scim
            ? new JsonObject { ["format"] = "scim", ["uri"] = $"/Users/{index:D6}" }
            : new JsonObject { ["format"] = "email", ["email"] = $"user{index}@example.com" };
}
