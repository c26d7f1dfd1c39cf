using System.Net;
using System.Net.Sockets;

namespace OpenCode.Testing;

/// <summary>
/// A TCP relay on a loopback port in front of a real server, which a test can cut to make that server unreachable
/// for whoever connects through the relay (and only them), then restore.
/// </summary>
/// <remarks>
/// <see cref="Sever"/> resets every relayed connection and refuses new ones (they are accepted and reset at once), as a
/// crashed or partitioned database looks to its clients; <see cref="Restore"/> relays again.
/// </remarks>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private volatile bool _severed;

    private TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool IsSevered => _severed;

    public static TcpRelay Start(string host, int port) =>
        new(new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port));

    public void Sever()
    {
        _severed = true;
        lock (_lock)
        {
            foreach (var socket in _open)
            {
                Reset(socket);
            }

            _open.Clear();
        }
    }

    public void Restore() => _severed = false;

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        Sever();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_severed)
            {
                Reset(client);
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        lock (_lock)
        {
            if (_severed)
            {
                Reset(client);
                Reset(server);
                return;
            }

            _open.Add(client);
            _open.Add(server);
        }

        await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        lock (_lock)
        {
            _open.Remove(client);
            _open.Remove(server);
        }

        Reset(client);
        Reset(server);
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes with RST rather than FIN: the peer sees a broken connection, not an orderly end.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
