using System.Text;
using System.Text.Json;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Realtime;

/// <summary>A JSON frame from the client (docs/API.md, "Project-specific endpoints"), its members read leniently: a member of the wrong type is absent.</summary>
internal sealed class ClientFrame
{
    private readonly JsonElement _root;

    private ClientFrame(JsonElement root) => _root = root;

    public string? Type => String("type");

    public string? StreamId => String("stream_id");

    public string? Topic => String("topic");

    public static (ClientFrame? Frame, RealtimeError? Error) Parse(string text)
    {
        // The same check as request bodies: a lone surrogate escape parses but cannot be read as a
        // string, so it is refused with an error frame before any member is read (RFC 7493 §2.1).
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (JsonBody.LoneSurrogateMember(utf8) is { } member)
        {
            return (null, RealtimeErrors.Request(JsonBody.LoneSurrogateMessage(member)));
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(utf8);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, RealtimeErrors.Request("The frame is not JSON."));
        }

        return root.ValueKind == JsonValueKind.Object
            ? (new ClientFrame(root), null)
            : (null, RealtimeErrors.Request("The frame is not a JSON object."));
    }

    public string? String(string name) =>
        _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public long? Int64(string name) =>
        _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    /// <summary>An ack's <c>jti</c>: one string, or an array of them.</summary>
    public List<string> Jtis()
    {
        var jtis = new List<string>();
        if (String("jti") is { } jti)
        {
            jtis.Add(jti);
        }
        else if (_root.TryGetProperty("jti", out var many) && many.ValueKind == JsonValueKind.Array)
        {
            jtis.AddRange(many.EnumerateArray().Where(j => j.ValueKind == JsonValueKind.String).Select(j => j.GetString()!));
        }

        return jtis;
    }
}
