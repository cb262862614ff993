namespace SharpSignals.Storage.Cluster;

/// <summary>A message from one node to all (<see cref="ILeaseStore.NotifyAsync"/>).</summary>
/// <param name="Kind">What it is about, such as <c>routed</c> or <c>stream</c>; no newline.</param>
/// <param name="Sender">The node that sent it; no newline.</param>
/// <param name="Body">The content, whose meaning the kind gives.</param>
public sealed record ClusterNotice(string Kind, string Sender, string Body)
{
    /// <summary>The most UTF-8 bytes a notice's kind, sender and body take together (PostgreSQL's NOTIFY takes under 8,000).</summary>
    public const int MaxBytes = 7_900;

    /// <summary>The kind of the notice that follows a lost listening connection: look at the store again.</summary>
    public const string ResyncKind = "resync";

    /// <summary>Notices may have been lost: whoever listens should look at the store again.</summary>
    public static ClusterNotice Resync { get; } = new(ResyncKind, string.Empty, string.Empty);

    /// <summary>The notice as one payload: kind, sender and body on lines of their own.</summary>
    /// <returns>The payload.</returns>
    public string Encode() => string.Concat(Kind, "\n", Sender, "\n", Body);

    /// <summary>The notice an <see cref="Encode"/>d payload holds, or <see langword="null"/> for anything else.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The notice.</returns>
    public static ClusterNotice? Decode(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var kindEnd = payload.IndexOf('\n', StringComparison.Ordinal);
        var senderEnd = kindEnd < 0 ? -1 : payload.IndexOf('\n', kindEnd + 1);
        return senderEnd < 0
            ? null
            : new ClusterNotice(payload[..kindEnd], payload[(kindEnd + 1)..senderEnd], payload[(senderEnd + 1)..]);
    }
}
