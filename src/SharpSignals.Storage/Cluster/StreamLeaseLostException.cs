namespace SharpSignals.Storage.Cluster;

/// <summary>A write fenced by a lease came after another node took the stream over; it changed nothing.</summary>
public sealed class StreamLeaseLostException : Exception
{
    public StreamLeaseLostException()
        : base("Another node took the stream's push lease over.")
    {
    }

    public StreamLeaseLostException(string message)
        : base(message)
    {
    }

    public StreamLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A lease lost on a stream.</summary>
    /// <param name="lease">The lease that no longer holds.</param>
    /// <returns>The exception.</returns>
    public static StreamLeaseLostException For(StreamLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return new StreamLeaseLostException($"Stream {lease.StreamId}: lease {lease.Token} of node {lease.NodeId} was taken over.");
    }
}
