using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Outbound;

/// <summary>
/// Where this server may send requests (pushes, a source's discovery, keys, token, poll and
/// management endpoints, topic-token JWKS): only over https, and never to loopback, private,
/// link-local, shared, reserved, documentation or multicast addresses, nor to an IPv6 address that
/// carries such an IPv4 address inside it; <c>AllowInsecureHttp</c> lifts both rules for development
/// (docs/OPERATIONS.md, "Outbound requests"). URLs are checked when configured or discovered, and the
/// address actually connected to is checked again at connect time, so DNS cannot be used to slip past.
/// </summary>
internal sealed class OutboundAddressPolicy
{
    // The special-purpose registries (RFC 6890 and its updates) list these as not globally reachable
    // or not meant as a destination; System.Net.IPNetwork does the prefix matching.
    private static readonly IPNetwork[] InternalIPv4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", RFC 791; 0.0.0.0 reaches the local host
        IPNetwork.Parse("10.0.0.0/8"),       // private, RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),    // shared address space (carrier-grade NAT), RFC 6598
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, where cloud metadata services answer, RFC 3927
        IPNetwork.Parse("172.16.0.0/12"),    // private, RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments, RFC 6890
        IPNetwork.Parse("192.0.2.0/24"),     // documentation TEST-NET-1, RFC 5737
        IPNetwork.Parse("192.88.99.0/24"),   // deprecated 6to4 relay anycast, RFC 7526
        IPNetwork.Parse("192.168.0.0/16"),   // private, RFC 1918
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking, RFC 2544
        IPNetwork.Parse("198.51.100.0/24"),  // documentation TEST-NET-2, RFC 5737
        IPNetwork.Parse("203.0.113.0/24"),   // documentation TEST-NET-3, RFC 5737
        IPNetwork.Parse("224.0.0.0/4"),      // multicast, RFC 5771
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, RFC 1112, and the limited broadcast 255.255.255.255
    ];

    private static readonly IPNetwork[] InternalIPv6 =
    [
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("100::/64"),         // discard-only, RFC 6666
        IPNetwork.Parse("2001:2::/48"),      // benchmarking, RFC 5180
        IPNetwork.Parse("2001:10::/28"),     // ORCHID, RFC 4843
        IPNetwork.Parse("2001:db8::/32"),    // documentation, RFC 3849
        IPNetwork.Parse("3fff::/20"),        // documentation, RFC 9637
        IPNetwork.Parse("fc00::/7"),         // unique local, RFC 4193
        IPNetwork.Parse("fe80::/10"),        // link-local, RFC 4291
        IPNetwork.Parse("fec0::/10"),        // deprecated site-local, RFC 3879
        IPNetwork.Parse("ff00::/8"),         // multicast, RFC 4291
    ];

    // Prefixes whose addresses carry an IPv4 address, which is what is really reached.
    private static readonly IPNetwork IPv4Compatible = IPNetwork.Parse("::/96");           // deprecated, RFC 4291 §2.5.5.1
    private static readonly IPNetwork IPv4Translated = IPNetwork.Parse("::ffff:0:0:0/96"); // SIIT, RFC 2765 §2.1
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");             // well-known NAT64, RFC 6052 §2.1
    private static readonly IPNetwork Nat64Local = IPNetwork.Parse("64:ff9b:1::/48");      // local-use NAT64, RFC 8215
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");            // 6to4, RFC 3056 §2
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");               // Teredo, RFC 4380 §4

    public OutboundAddressPolicy(IOptions<ServerOptions> options)
        : this(requireHttps: !options.Value.AllowInsecureHttp, allowInternal: options.Value.AllowInsecureHttp)
    {
    }

    /// <summary>The two halves of <c>AllowInsecureHttp</c> apart, so a test can hold one rule while reaching loopback.</summary>
    internal OutboundAddressPolicy(bool requireHttps, bool allowInternal)
    {
        RequireHttps = requireHttps;
        AllowInternal = allowInternal;
    }

    /// <summary>Whether URLs must use https.</summary>
    public bool RequireHttps { get; }

    /// <summary>Whether internal addresses may be used (development only, with <c>AllowInsecureHttp</c>).</summary>
    public bool AllowInternal { get; }

    /// <summary>Why the URL may not be called, or null when it may.</summary>
    public string? CheckUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute https URL";
        }

        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a fragment or user information";
        }

        if (RequireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must use https";
        }

        return !AllowInternal && (uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IsInternal(address)))
            ? "must not point at a loopback, private or link-local address"
            : null;
    }

    /// <summary>Whether a resolved address may be connected to.</summary>
    public bool MayConnect(IPAddress address) => AllowInternal || !IsInternal(address);

    /// <summary>Whether the address, or the IPv4 address an IPv6 address carries, is not a public destination.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return InternalIPv4.Any(n => n.Contains(address));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return IsInternal(address.MapToIPv4());
        }

        if (InternalIPv6.Any(n => n.Contains(address)))
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (IPv4Compatible.Contains(address) || IPv4Translated.Contains(address) || Nat64.Contains(address))
        {
            return IsInternal(new IPAddress(bytes[12..]));
        }

        if (Nat64Local.Contains(address))
        {
            // RFC 6052 §2.2: only the /96 form keeps the IPv4 address in the last 32 bits; any other
            // length of the network's own prefix puts it elsewhere, so it cannot be judged: refused.
            return bytes[6..12].IndexOfAnyExcept((byte)0) >= 0 || IsInternal(new IPAddress(bytes[12..]));
        }

        if (SixToFour.Contains(address))
        {
            return IsInternal(new IPAddress(bytes[2..6]));
        }

        if (Teredo.Contains(address))
        {
            // RFC 4380 §4: the Teredo server's IPv4 address in bits 32-63, the client's obfuscated
            // (every bit inverted) in the last 32.
            var client = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]) ^ 0xffffffff;
            Span<byte> clientBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(clientBytes, client);
            return IsInternal(new IPAddress(bytes[4..8])) || IsInternal(new IPAddress(clientBytes));
        }

        return false;
    }
}
