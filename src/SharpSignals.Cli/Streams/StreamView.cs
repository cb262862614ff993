using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;
using SharpSignals.Tokens;

namespace SharpSignals.Cli.Streams;

/// <summary>How a stream configuration object is shown to a person.</summary>
internal static class StreamView
{
    public static IEnumerable<(string Name, string? Value)> Rows(JsonNode? stream)
    {
        var delivery = stream?["delivery"];
        var source = stream?["source"];
        yield return ("stream_id", stream.Str("stream_id"));
        yield return ("description", stream.Str("description"));
        yield return ("direction", stream.Str("direction") ?? "outbound");
        yield return ("delivery", Method(delivery.Str("method")));
        yield return ("endpoint_url", delivery.Str("endpoint_url"));
        if (delivery.Str("authorization_header") is { } header)
        {
            yield return ("authorization_header", header + "  (shown once: give it to the transmitter)");
        }

        yield return ("iss", stream.Str("iss"));
        yield return ("aud", string.Join(", ", stream.Strings("aud")));
        yield return ("events_delivered", string.Join(", ", stream.Strings("events_delivered").Select(EventNames.Short)));
        yield return ("route_mode", stream.Str("route_mode"));
        yield return ("project", stream.Str("project"));
        if (source is not null)
        {
            yield return ("source.issuer", source.Str("issuer"));
            yield return ("source.jwks_uri", source.Str("jwks_uri"));
            yield return ("source.stream_id", source.Str("stream_id"));
            yield return ("source.status", source.Str("status"));
            yield return ("source.echo", source["echo"]?.GetValue<bool>() == true ? "yes: also to the owner's own outbound streams" : "no: never to the owner's own outbound streams");
        }
    }

    /// <summary>"push" or "poll" for the RFC URNs.</summary>
    public static string? Method(string? urn) => urn switch
    {
        DeliveryMethods.Push => "push",
        DeliveryMethods.Poll => "poll",
        _ => urn,
    };
}
