using System.Diagnostics;
using System.Net.Sockets;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// @modelcontextprotocol/server-everything over Streamable HTTP in a node process: a server with real
/// sessions (Mcp-Session-Id) that forgets them all when it restarts.
/// </summary>
internal sealed class EverythingHttpServer : IAsyncDisposable
{
    private readonly Process _process;

    private EverythingHttpServer(Process process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}/mcp";
    }

    public string Url { get; }

    public static async Task<EverythingHttpServer> StartAsync(int port)
    {
        var start = new ProcessStartInfo("node", [McpTestServers.EverythingScript, "streamableHttp"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return new EverythingHttpServer(process, port);
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
