using OpenCode.Abstractions;
using System.Diagnostics;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>What happens to MCP sessions when their silo goes away (a cluster of its own: it is stopped).</summary>
public sealed class McpConnectionLifetimeTests
{
    [Fact]
    public async Task Stopping_the_silo_deactivates_the_grain_and_ends_the_stdio_server_process()
    {
        var spec = McpTestServers.Everything();
        var cluster = new McpCluster();
        await cluster.InitializeAsync();
        try
        {
            Assert.Equal(new McpToolResult(false, "Echo: hi"), await cluster.Connection(spec).CallToolAsync(spec, "echo", """{"message":"hi"}"""));
            using var process = Process.GetProcessById(await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec)));

            await cluster.Cluster.StopAllSilosAsync();

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Empty(ServerProcesses.WithMarker(McpTestServers.MarkerOf(spec)));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
