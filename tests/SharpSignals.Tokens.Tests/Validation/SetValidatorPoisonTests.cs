using System.Text.Json.Nodes;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Validation;

/// <summary>
/// Validly signed SETs whose content cannot be read: each must be refused with invalid_request, never
/// throw (a throw is a 500 on push and a poll stream blocked for good).
/// </summary>
public sealed class SetValidatorPoisonTests
{
    private const string Lone = "\\ud800";
    private const string LoneLow = "\\udc00";

    private static readonly SetSigningKey IssuerKey = SetSigningKey.Generate();

    private static readonly SetValidator Validator = Samples.Validator(IssuerKey);

    private static readonly string Valid = JsonNode.Parse(SetPayload.ToJson(Samples.SessionRevokedSet()))!.ToJsonString();

    public static TheoryData<string> Payloads() =>
    [
        "lone surrogate in jti",
        "lone low surrogate in iss",
        "lone surrogate in aud",
        "lone surrogate in aud array",
        "lone surrogate in txn",
        "lone surrogate in a claim name",
        "lone surrogate in an ignored claim",
        "lone surrogate in sub_id email",
        "lone surrogate in sub_id format",
        "lone surrogate in a sub_id member name",
        "lone surrogate in an unknown sub_id format",
        "lone surrogate in the event type",
        "lone surrogate in an event member",
        "lone surrogate in an unknown event",
        "surrogate pair cut by an escaped backslash",
        "sub_id a number",
        "sub_id an array",
        "sub_id null",
        "sub_id format a number",
        "sub_id email a number",
        "sub_id email an object",
        "sub_id unknown format with weird members",
        "sub_id complex nested deeply",
        "sub_id aliases holding junk",
        "sub_id ip-addresses holding numbers",
        "sub_id scim with an object uri",
        "deeply nested junk claim",
        "events an array",
        "events a string",
        "events null",
        "event payload an array",
        "event member of the wrong kind",
        "event timestamp a string",
        "reason_admin an array",
        "iat huge",
        "iat a string",
        "jti an object",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task ValidateAsync_PoisonPayload_FailsWithInvalidRequest(string poison)
    {

        var result = await Validator.ValidateAsync(TokenFactory.Sign(Payload(poison), IssuerKey), CancellationToken.None);

        Assert.False(result.IsValid, $"'{poison}' was accepted");
        Assert.False(result.IsTransient);
        Assert.Equal(SetErrorCodes.InvalidRequest, result.Error!.Code);
    }

    [Fact]
    public async Task ValidateAsync_SurrogatePairEscaped_IsAccepted()
    {
        var payload = Replace(Valid, "\"jti\":\"", "\"jti\":\"\\ud83d\\ude00\\\\ud800-");
        var result = await Validator.ValidateAsync(TokenFactory.Sign(payload, IssuerKey), CancellationToken.None);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.StartsWith("\U0001F600\\ud800-", result.Set!.Jti, StringComparison.Ordinal);
    }

    /// <summary>The claims set as text, since a lone surrogate cannot be built through JsonNode.</summary>
    private static string Payload(string poison) => poison switch
    {
        "lone surrogate in jti" => Replace(Valid, "\"jti\":\"", $"\"jti\":\"{Lone}"),
        "lone low surrogate in iss" => Replace(Valid, "\"iss\":\"", $"\"iss\":\"{LoneLow}"),
        "lone surrogate in aud" => Replace(Valid, "\"aud\":\"", $"\"aud\":\"{Lone}"),
        "lone surrogate in aud array" => With(p => p["aud"] = new JsonArray(Samples.Audience, "X")).Replace("\"X\"", $"\"{Lone}\"", StringComparison.Ordinal),
        "lone surrogate in txn" => With(p => p["txn"] = "X").Replace("\"X\"", $"\"{Lone}\"", StringComparison.Ordinal),
        "lone surrogate in a claim name" => With(p => p["X"] = 1).Replace("\"X\"", $"\"{Lone}\"", StringComparison.Ordinal),
        "lone surrogate in an ignored claim" => With(p => p["note"] = "X").Replace("\"X\"", $"\"{Lone}x\"", StringComparison.Ordinal),
        "lone surrogate in sub_id email" => Replace(Valid, "\"alice@example.com\"", $"\"alice{Lone}@example.com\""),
        "lone surrogate in sub_id format" => Replace(Valid, "\"format\":\"email\"", $"\"format\":\"email{Lone}\""),
        "lone surrogate in a sub_id member name" => Replace(Valid, "\"email\":\"alice", $"\"e{Lone}mail\":\"alice"),
        "lone surrogate in an unknown sub_id format" => With(p => p["sub_id"] = new JsonObject { ["format"] = "x-custom", ["id"] = "X" }).Replace("\"X\"", $"\"{Lone}\"", StringComparison.Ordinal),
        "lone surrogate in the event type" => Replace(Valid, EventTypes.Caep.SessionRevoked, EventTypes.Caep.SessionRevoked + Lone),
        "lone surrogate in an event member" => Replace(Valid, "\"initiating_entity\":\"", $"\"initiating_entity\":\"{Lone}"),
        "lone surrogate in an unknown event" => With(p => p["events"] = new JsonObject { ["https://example.com/custom"] = new JsonObject { ["note"] = "X" } }).Replace("\"X\"", $"\"{Lone}\"", StringComparison.Ordinal),
        "surrogate pair cut by an escaped backslash" => Replace(Valid, "\"jti\":\"", "\"jti\":\"\\ud83d\\\\ude00"),
        "sub_id a number" => With(p => p["sub_id"] = 42),
        "sub_id an array" => With(p => p["sub_id"] = new JsonArray("alice")),
        "sub_id null" => With(p => p["sub_id"] = null),
        "sub_id format a number" => With(p => p["sub_id"] = new JsonObject { ["format"] = 7, ["email"] = "alice@example.com" }),
        "sub_id email a number" => With(p => p["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = 12 }),
        "sub_id email an object" => With(p => p["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = new JsonObject { ["a"] = new JsonArray(1, 2) } }),
        "sub_id unknown format with weird members" => With(p => p["sub_id"] = new JsonObject
        {
            ["format"] = "x-weird",
            [""] = null,
            ["format2"] = new JsonArray(new JsonObject(), new JsonArray(), null, true, 1e308),
            ["n"] = -0.0,
            ["X"] = "odd",
        }).Replace("\"X\"", $"\"{LoneLow}\"", StringComparison.Ordinal),
        "sub_id complex nested deeply" => With(p => p["sub_id"] = Nested(new JsonObject { ["format"] = "complex" }, 50, "user")),
        "sub_id aliases holding junk" => With(p => p["sub_id"] = new JsonObject { ["format"] = "aliases", ["identifiers"] = new JsonArray(1, "a", null, new JsonObject { ["format"] = "aliases", ["identifiers"] = new JsonArray() }) }),
        "sub_id ip-addresses holding numbers" => With(p => p["sub_id"] = new JsonObject { ["format"] = "ip-addresses", ["ip-addresses"] = new JsonArray(1, 2) }),
        "sub_id scim with an object uri" => With(p => p["sub_id"] = new JsonObject { ["format"] = "scim", ["uri"] = new JsonObject() }),
        "deeply nested junk claim" => Replace(Valid, "{\"iss\"", "{\"junk\":" + new string('[', 5000) + new string(']', 5000) + ",\"iss\""),
        "events an array" => With(p => p["events"] = new JsonArray(EventTypes.Caep.SessionRevoked)),
        "events a string" => With(p => p["events"] = EventTypes.Caep.SessionRevoked),
        "events null" => With(p => p["events"] = null),
        "event payload an array" => With(p => p["events"] = new JsonObject { [EventTypes.Caep.SessionRevoked] = new JsonArray(1) }),
        "event member of the wrong kind" => With(p => p["events"]![EventTypes.Caep.SessionRevoked]!["initiating_entity"] = new JsonArray(new JsonObject())),
        "event timestamp a string" => With(p => p["events"]![EventTypes.Caep.SessionRevoked]!["event_timestamp"] = "yesterday"),
        "reason_admin an array" => With(p => p["events"]![EventTypes.Caep.SessionRevoked]!["reason_admin"] = new JsonArray("x")),
        "iat huge" => With(p => p["iat"] = 1e300),
        "iat a string" => With(p => p["iat"] = "now"),
        "jti an object" => With(p => p["jti"] = new JsonObject()),
        _ => throw new ArgumentOutOfRangeException(nameof(poison), poison, "no such row"),
    };

    private static string With(Action<JsonObject> change)
    {
        var payload = JsonNode.Parse(Valid)!.AsObject();
        change(payload);
        return payload.ToJsonString();
    }

    private static string Replace(string text, string old, string replacement)
    {
        Assert.Contains(old, text, StringComparison.Ordinal);
        return text.Replace(old, replacement, StringComparison.Ordinal);
    }

    private static JsonNode Nested(JsonObject outer, int depth, string name)
    {
        JsonNode inner = new JsonObject { ["format"] = "email", ["email"] = "alice@example.com" };
        for (var i = 0; i < depth; i++)
        {
            inner = new JsonObject { ["format"] = "complex", [name] = inner };
        }

        outer[name] = inner;
        return outer;
    }
}
