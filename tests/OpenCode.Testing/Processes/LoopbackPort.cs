using System.Net;
using System.Net.Sockets;

namespace OpenCode.Testing;

/// <summary>Free TCP ports on 127.0.0.1, for servers that must be told their port before they start.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port the OS just handed out and released. Another process could take it before the caller
    /// binds it, so prefer binding port 0 where the server allows it (the kit's servers do).
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
