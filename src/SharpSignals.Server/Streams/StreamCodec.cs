using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using SharpSignals.Storage.Streams;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Streams;

/// <summary>
/// Turns a stream configuration into its stored JSON and back. Its secrets (the push or receive
/// credential in <c>delivery.authorization_header</c>, the receiver's client secret in
/// <c>delivery.oauth</c>, and the credentials for a source) are
/// encrypted on the way in and never returned by the API (docs/ARCHITECTURE.md, "Security").
/// </summary>
internal sealed class StreamCodec(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SharpSignals.StreamSecrets.v1");

    public string Encode(StreamConfiguration configuration) =>
        JsonSerializer.Serialize(WithSecrets(configuration, _protector.Protect), StreamJsonContext.Default.StreamConfiguration);

    public StreamConfiguration Decode(StreamRecord record)
    {
        var stored = JsonSerializer.Deserialize(record.Configuration, StreamJsonContext.Default.StreamConfiguration)
            ?? throw new InvalidDataException($"Stream {record.StreamId} has no configuration.");
        return WithSecrets(stored, _protector.Unprotect);
    }

    /// <summary>
    /// The configuration as a receiver sees it: no credential of any kind, its project as its tenant names it
    /// (docs/TENANTS.md), and <c>encryption</c> as the receiver gave it (without the key fetched from its
    /// <c>jwks_uri</c>, so that it can be sent back as it is).
    /// </summary>
    public static StreamConfiguration Public(StreamConfiguration configuration)
    {
        var shown = WithSecrets(configuration, _ => null) with { Project = TenantProjects.LocalName(configuration.Project) };
        return shown.Encryption is { JwksKey: not null } encryption ? shown with { Encryption = encryption with { JwksKey = null } } : shown;
    }

    /// <summary>
    /// The answer to creating a stream: as <see cref="Public"/>, except that an inbound push stream
    /// shows, this once, the credential its transmitter must send (docs/API.md, "Inbound streams").
    /// </summary>
    public static StreamConfiguration Created(StreamConfiguration configuration)
    {
        var shown = Public(configuration);
        return configuration.IsInbound && configuration.Delivery.Method == Tokens.DeliveryMethods.Push
            ? shown with { Delivery = configuration.Delivery }
            : shown;
    }

    private static StreamConfiguration WithSecrets(StreamConfiguration configuration, Func<string, string?> transform)
    {
        var delivery = configuration.Delivery.AuthorizationHeader is { } header
            ? configuration.Delivery with { AuthorizationHeader = transform(header) }
            : configuration.Delivery;
        if (delivery.OAuth is { ClientSecret: { } secret } oauth)
        {
            delivery = delivery with { OAuth = oauth with { ClientSecret = transform(secret) } };
        }

        var source = configuration.Source is { } s && (s.AuthorizationHeader is not null || s.ClientSecret is not null)
            ? s with
            {
                AuthorizationHeader = s.AuthorizationHeader is { } a ? transform(a) : null,
                ClientSecret = s.ClientSecret is { } c ? transform(c) : null,
            }
            : configuration.Source;
        return ReferenceEquals(delivery, configuration.Delivery) && ReferenceEquals(source, configuration.Source)
            ? configuration
            : configuration with { Delivery = delivery, Source = source };
    }
}
