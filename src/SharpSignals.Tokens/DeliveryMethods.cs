namespace SharpSignals.Tokens;

/// <summary>Delivery method URNs of a stream's <c>delivery.method</c> (SSF 1.0 §6.1).</summary>
public static class DeliveryMethods
{
    /// <summary>Push-based delivery (RFC 8935).</summary>
    public const string Push = "urn:ietf:rfc:8935";

    /// <summary>Poll-based delivery (RFC 8936).</summary>
    public const string Poll = "urn:ietf:rfc:8936";
}
