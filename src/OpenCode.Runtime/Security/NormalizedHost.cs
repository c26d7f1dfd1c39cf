using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenCode.Runtime.Security;

/// <summary>
/// A host in the one spelling the allow-list compares: IP literals in canonical form (so <c>2130706433</c>,
/// <c>0x7f.1</c> and <c>::ffff:127.0.0.1</c> are all <c>127.0.0.1</c>), names lower-case in ASCII (IDN) form, without
/// brackets or a trailing dot.
/// </summary>
public readonly record struct NormalizedHost(string Name, IPAddress? Address, HostKind Kind)
{
    private static readonly IdnMapping Idn = new();
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");
    private static readonly IPAddress AlibabaMetadata = IPAddress.Parse("100.100.100.200");

    /// <summary>The host as it appears in a URL (IPv6 in brackets).</summary>
    public string UrlForm => Address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Name}]" : Name;

    /// <summary>The normalized host, or null when <paramref name="host"/> is not a host name or address.</summary>
    public static NormalizedHost? Parse(string host)
    {
        var trimmed = host.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            trimmed = trimmed[1..^1];
        }

        // A trailing dot names the same host ("localhost." is localhost; "127.0.0.1." resolves to 127.0.0.1).
        trimmed = trimmed.TrimEnd('.');
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (IPAddress.TryParse(trimmed, out var address))
        {
            return Of(address);
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        var loopback = ascii == "localhost" || ascii.EndsWith(".localhost", StringComparison.Ordinal);
        return new NormalizedHost(ascii, null, loopback ? HostKind.Loopback : HostKind.Public);
    }

    /// <summary>An address in canonical form: IPv4-mapped IPv6 becomes IPv4, a zone is dropped.</summary>
    public static NormalizedHost Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        return new NormalizedHost(address.ToString(), address, KindOf(address));
    }

    private static HostKind KindOf(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return bytes[0] switch
            {
                127 => HostKind.Loopback,
                0 => HostKind.Internal,
                169 when bytes[1] == 254 => HostKind.Internal,
                _ => address.Equals(AlibabaMetadata) ? HostKind.Internal : HostKind.Public,
            };
        }

        if (IPAddress.IPv6Loopback.Equals(address))
        {
            return HostKind.Loopback;
        }

        if (IPAddress.IPv6None.Equals(address) || address.IsIPv6LinkLocal || address.Equals(AwsMetadataV6))
        {
            return HostKind.Internal;
        }

        // IPv4 inside IPv6 by other roads than mapping (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96) reaches the
        // IPv4 host: it is what the embedded address is.
        var v6 = address.GetAddressBytes();
        if (EmbedsIPv4(v6))
        {
            return KindOf(new IPAddress(v6.AsSpan(12)));
        }

        return HostKind.Public;
    }

    private static bool EmbedsIPv4(byte[] v6)
    {
        var compatible = v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        var nat64 = v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        return compatible || nat64;
    }

    public override string ToString() => UrlForm;
}
