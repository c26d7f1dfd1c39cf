using ModelContextProtocol.Server;
using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// <c>notifications/tools/list_changed</c> from a server refreshes that server's tools on the session that heard it, with
/// no reconnect: sent unasked on a session of the <c>initialize</c> handshake (Streamable HTTP with sessions, SSE), and
/// over the <c>subscriptions/listen</c> request the connection keeps open on a 2026-07-28 session (WebSocket).
/// </summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpToolListChangedTests(McpCluster mcp)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.Sse)]
    [InlineData(McpTransport.WebSocket)]
    public async Task A_tool_the_server_adds_or_removes_while_running_appears_and_disappears_on_the_same_session(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(stateful: transport == McpTransport.StreamableHttp);
        var spec = transport switch
        {
            McpTransport.WebSocket => McpServerSpec.WebSocket("live", server.WebSocketUrl.ToString()),
            McpTransport.Sse => McpServerSpec.Http("live", server.SseUrl.ToString(), McpTransport.Sse),
            _ => McpServerSpec.Http("live", server.StreamableHttpUrl.ToString()),
        };
        var grain = mcp.Connection(spec);
        var before = await grain.ListToolsAsync(spec);

        server.AddTool(McpServerTool.Create(() => "fresh", new McpServerToolCreateOptions { Name = "fresh", Description = "Added at runtime." }));
        var added = await grain.WaitForToolsAsync(spec, tools => tools.Any(t => t.Name == "fresh"), Patience);
        var call = await grain.CallToolAsync(spec, "fresh", "{}");
        Assert.True(server.RemoveTool("fresh"));
        var removed = await grain.WaitForToolsAsync(spec, tools => tools.All(t => t.Name != "fresh"), Patience);

        Assert.DoesNotContain(before, t => t.Name == "fresh");
        Assert.Equal("Added at runtime.", Assert.Single(added, t => t.Name == "fresh").Description);
        Assert.Equal("live_fresh", added.Single(t => t.Name == "fresh").QualifiedName);
        Assert.Equal(new McpToolResult(false, "fresh"), call);
        Assert.Equal(before.Select(t => t.Name).Order(), removed.Select(t => t.Name).Order());
        Assert.Equal(6, (await grain.GetStatusAsync()).ToolCount + 1);
        Assert.Equal(1, server.Handshakes);
    }
}
