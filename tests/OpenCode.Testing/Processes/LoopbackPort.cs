using System.Net;
using System.Net.Sockets;

namespace OpenCode.Testing;

/// <summary>Free TCP ports on 127.0.0.1, for servers that must be told their port before they start.</summary>
public static class LoopbackPort
{
    // Below Linux's ephemeral range (32768-60999): the OS gives those to outgoing connections, and a test run makes
    // thousands, so a port found free there is soon taken again by some client socket.
    private const int First = 20000;
    private const int Last = 32767;

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port that was free when asked and that this process has not handed out before. Another process could
    /// still take it before the caller binds it, so prefer binding port 0 where the server allows it (the kit's
    /// servers do).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            var port = Random.Shared.Next(First, Last + 1);
            lock (HandedOut)
            {
                if (HandedOut.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                HandedOut.Add(port);
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
