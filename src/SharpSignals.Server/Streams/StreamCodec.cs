using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.Streams;

/// <summary>
/// Turns a stream configuration into its stored JSON and back; the push credential
/// (<c>authorization_header</c>) is encrypted on the way in (DESIGN.md, "Security").
/// </summary>
internal sealed class StreamCodec(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SharpSignals.StreamSecrets.v1");

    public string Encode(StreamConfiguration configuration)
    {
        var stored = configuration.Delivery.AuthorizationHeader is { } header
            ? configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = _protector.Protect(header) } }
            : configuration;
        return JsonSerializer.Serialize(stored, StreamJsonContext.Default.StreamConfiguration);
    }

    public StreamConfiguration Decode(StreamRecord record)
    {
        var stored = JsonSerializer.Deserialize(record.Configuration, StreamJsonContext.Default.StreamConfiguration)
            ?? throw new InvalidDataException($"Stream {record.StreamId} has no configuration.");
        return stored.Delivery.AuthorizationHeader is { } header
            ? stored with { Delivery = stored.Delivery with { AuthorizationHeader = _protector.Unprotect(header) } }
            : stored;
    }

    /// <summary>The configuration as a receiver sees it: never the push credential.</summary>
    public static StreamConfiguration Public(StreamConfiguration configuration) =>
        configuration.Delivery.AuthorizationHeader is null
            ? configuration
            : configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = null } };
}
