using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Routing;

/// <summary>
/// What routing and delivery need to know of one stream, kept in memory (secrets decrypted), with
/// its subjects indexed for routing.
/// </summary>
internal sealed record StreamRoute(
    StreamConfiguration Configuration,
    string Status,
    string? OwnerClientId,
    SubjectScope Subjects)
{
    public string StreamId => Configuration.StreamId;

    public string Project => Configuration.Project;

    public FrozenSet<string> EventsDelivered { get; } = Configuration.EventsDelivered.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The receiver's key every SET of the stream is encrypted to; null when it takes them signed only.</summary>
    public JsonWebKey? EncryptionKey { get; } = Configuration.Encryption?.ReadRecipientKey();

    public bool IsOutbound => Configuration.Direction == StreamDirections.Outbound;

    public bool IsPush => Configuration.Delivery.Method == Tokens.DeliveryMethods.Push;

    /// <summary>See <see cref="SharpSignals.Storage.Streams.StreamRecord.PauseNoticePosition"/>.</summary>
    public long? PauseNoticePosition { get; init; }

    /// <summary>What may be delivered now.</summary>
    public DeliveryWindow Window => new(Status, PauseNoticePosition);
}
