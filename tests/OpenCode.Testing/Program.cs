// Standalone modes of the test kit, for the README walk-through, benchmarks and MCP clients:
//   OpenCode.Testing fake-model [--port 6556] [--latency-ms N] [--token-interval-ms N] [--stamped-tokens N]
//     (--stamped-tokens: every reply is N tokens carrying their send timestamps, FakeReply.Timestamps)
//   OpenCode.Testing mcp-stdio
//   OpenCode.Testing mcp-http [--port 6557]
// The HTTP modes print their URL as the first line of stdout and run until Ctrl+C or SIGTERM.
using System.Globalization;
using System.Runtime.InteropServices;
using OpenCode.Testing;

switch (args)
{
    case ["fake-model", .. var options]:
        {
            await using var server = await FakeModelServer.StartAsync(IntOption(options, "--port") ?? 6556);
            server.Latency = TimeSpan.FromMilliseconds(IntOption(options, "--latency-ms") ?? 0);
            server.TokenInterval = TimeSpan.FromMilliseconds(IntOption(options, "--token-interval-ms") ?? 0);
            server.UnscriptedReply = IntOption(options, "--stamped-tokens") is { } tokens ? FakeReply.Timestamps(tokens) : null;
            server.RecordRequests = false; // nobody reads them out of process; keep memory flat under load
            Console.WriteLine(server.BaseUrl);
            await ShutdownSignal();
            return 0;
        }

    case ["mcp-stdio", ..]:
        {
            await TestMcpStdioServer.RunAsync(CancellationToken.None);
            return 0;
        }

    case ["mcp-http", .. var options]:
        {
            await using var server = await TestMcpHttpServer.StartAsync(IntOption(options, "--port") ?? 6557);
            Console.WriteLine(server.StreamableHttpUrl);
            Console.Error.WriteLine($"legacy SSE: {server.SseUrl}");
            Console.Error.WriteLine($"WebSocket: {server.WebSocketUrl}");
            await ShutdownSignal();
            return 0;
        }

    default:
        Console.Error.WriteLine("""
            usage: OpenCode.Testing fake-model [--port 6556] [--latency-ms N] [--token-interval-ms N] [--stamped-tokens N]
                   OpenCode.Testing mcp-stdio
                   OpenCode.Testing mcp-http [--port 6557]
            """);
        return 2;
}

static int? IntOption(string[] options, string name)
{
    var i = Array.IndexOf(options, name);
    return i >= 0 && i + 1 < options.Length ? int.Parse(options[i + 1], CultureInfo.InvariantCulture) : null;
}

static async Task ShutdownSignal()
{
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // exit through the awaits so servers are disposed
        stop.TrySetResult();
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    await stop.Task;
}
