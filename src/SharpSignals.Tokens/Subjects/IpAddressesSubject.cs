using System.Net;
using System.Text.Json;

namespace SharpSignals.Tokens.Subjects;

/// <summary>SSF 1.0 §3.4.3: one or more IPv4 or IPv6 addresses in their RFC 4001 text form.</summary>
/// <param name="IpAddresses">The addresses, at least one.</param>
public sealed record IpAddressesSubject(IReadOnlyList<string> IpAddresses) : SubjectIdentifier
{
    /// <inheritdoc/>
    public override string Format => SubjectFormats.IpAddresses;

    /// <inheritdoc/>
    public bool Equals(IpAddressesSubject? other) => other is not null && CanonicalKey == other.CanonicalKey;

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray("ip-addresses");
        foreach (var address in IpAddresses)
        {
            writer.WriteStringValue(address);
        }

        writer.WriteEndArray();
    }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (IpAddresses is null || IpAddresses.Count == 0)
        {
            errors.Add($"{path}.ip-addresses must hold at least one address");
            return;
        }

        foreach (var address in IpAddresses)
        {
            if (!IPAddress.TryParse(address, out _))
            {
                errors.Add($"{path}.ip-addresses: '{address}' is not an IP address");
            }
        }
    }
}
