using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Streams;

/// <summary>
/// Which of a stream's pending entries may be delivered now. Everything while it is enabled;
/// nothing while it is paused (it holds them) or disabled (SSF 1.0 §8.1.2), except that a pause the
/// transmitter made takes effect after the stream-updated SET announcing it, which must reach the
/// receiver before delivery stops (§8.1.5): entries up to that notice still go out, in order.
/// </summary>
/// <param name="Status">The stream's status.</param>
/// <param name="PauseNoticePosition">See <see cref="StreamRecord.PauseNoticePosition"/>.</param>
internal readonly record struct DeliveryWindow(string Status, long? PauseNoticePosition)
{
    public static DeliveryWindow Of(StreamRecord record) => new(record.Status, record.PauseNoticePosition);

    /// <summary>Whether anything may be delivered now.</summary>
    public bool IsOpen => Status == StreamStatuses.Enabled || IsClosingAfterNotice;

    /// <summary>Paused by the transmitter, with its notice still to be delivered.</summary>
    public bool IsClosingAfterNotice => Status == StreamStatuses.Paused && PauseNoticePosition is not null;

    /// <summary>Whether the entry of the event at <paramref name="eventPosition"/> may be delivered now.</summary>
    public bool Admits(long eventPosition) =>
        Status == StreamStatuses.Enabled || (IsClosingAfterNotice && eventPosition <= PauseNoticePosition);
}
