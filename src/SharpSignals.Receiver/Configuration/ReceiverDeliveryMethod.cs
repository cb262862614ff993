namespace SharpSignals.Receiver.Configuration;

/// <summary>How SETs reach the application (SSF 1.0 §6.1).</summary>
public enum ReceiverDeliveryMethod
{
    /// <summary>The transmitter pushes each SET to the application's endpoint (RFC 8935).</summary>
    Push,

    /// <summary>The application long-polls the transmitter's endpoint (RFC 8936).</summary>
    Poll,
}
