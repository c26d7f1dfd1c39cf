using System.Diagnostics;
using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>The connection grain over WebSocket, against the project's test MCP server's <c>/ws</c> endpoint.</summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpConnectionGrainWebSocketTests(McpCluster mcp)
{
    [Fact]
    public async Task Lists_and_calls_tools_over_a_websocket()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.WebSocket("socket", server.WebSocketUrl.ToString());
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"over a websocket"}""");
        var add = await grain.CallToolAsync(spec, "add", """{"a":20,"b":22}""");
        var fail = await grain.CallToolAsync(spec, "fail", "{}");
        var unknown = await grain.CallToolAsync(spec, "no-such-tool", "{}");

        Assert.Equal(["socket_add", "socket_echo", "socket_env", "socket_fail", "socket_slow"], tools.Select(t => t.QualifiedName).Order());
        Assert.Equal(new McpToolResult(false, "over a websocket"), echo);
        Assert.Equal(new McpToolResult(false, "42"), add);
        Assert.True(fail.IsError);
        Assert.Contains(TestTools.FailMessage, fail.Text);
        Assert.True(unknown.IsError);
        Assert.Contains("no-such-tool", unknown.Text);
    }

    [Fact]
    public async Task Concurrent_calls_share_the_one_socket_and_each_gets_its_own_answer()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.WebSocket("socket", server.WebSocketUrl.ToString());
        var grain = mcp.Connection(spec);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            grain.CallToolAsync(spec, "echo", $$"""{"message":"call {{i}}"}""")));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => new McpToolResult(false, $"call {i}")), results);
    }

    [Fact]
    public async Task A_slow_tool_times_out_and_the_session_goes_on()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.WebSocket("socket", server.WebSocketUrl.ToString(), callTimeoutSeconds: 1);
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec));

        var clock = Stopwatch.StartNew();
        var slow = await grain.CallToolAsync(spec, "slow", """{"ms":30000}""");

        Assert.True(slow.IsError);
        Assert.Contains("did not answer within 1 s", slow.Text);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(new McpToolResult(false, "after"), await grain.CallToolAsync(spec, "echo", """{"message":"after"}"""));
    }

    [Fact]
    public async Task A_stopped_server_gives_error_results_and_once_it_is_back_on_the_same_port_calls_succeed_again()
    {
        var server = await TestMcpHttpServer.StartAsync();
        var port = server.WebSocketUrl.Port;
        var spec = McpServerSpec.WebSocket("flaky", server.WebSocketUrl.ToString(), callTimeoutSeconds: 10);
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "before"), await grain.CallToolAsync(spec, "echo", """{"message":"before"}"""));

        await server.DisposeAsync();
        var clock = Stopwatch.StartNew();
        var down = await grain.CallToolAsync(spec, "echo", """{"message":"while down"}""");
        var downElapsed = clock.Elapsed;
        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));

        await using var restarted = await TestMcpHttpServer.StartAsync(port);
        var back = await grain.CallToolAsync(spec, "echo", """{"message":"back"}""");
        var tools = await grain.ListToolsAsync(spec);

        Assert.True(down.IsError);
        Assert.StartsWith("MCP server 'flaky' is unavailable", down.Text);
        Assert.True(downElapsed < TimeSpan.FromSeconds(5), $"the dead server took {downElapsed} to report");
        Assert.Equal("flaky", listing.Server);
        Assert.Equal(new McpToolResult(false, "back"), back);
        Assert.Contains(tools, t => t.QualifiedName == "flaky_echo");
    }

    [Fact]
    public async Task A_server_restarted_between_calls_is_reconnected_without_a_failed_call()
    {
        var server = await TestMcpHttpServer.StartAsync();
        var port = server.WebSocketUrl.Port;
        var spec = McpServerSpec.WebSocket("restarted", server.WebSocketUrl.ToString());
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));

        // The stopping server closes the socket (going away): the session is dropped before anyone calls again.
        await server.DisposeAsync();
        await using var restarted = await TestMcpHttpServer.StartAsync(port);
        var two = await grain.CallToolAsync(spec, "echo", """{"message":"two"}""");

        Assert.Equal(new McpToolResult(false, "two"), two);
    }

    [Fact]
    public async Task Listing_an_unreachable_websocket_server_throws_a_clear_exception()
    {
        var spec = McpServerSpec.WebSocket("nowhere", $"ws://127.0.0.1:{LoopbackPort.Next()}/ws");

        var exception = await Assert.ThrowsAsync<McpServerUnavailableException>(() => mcp.Connection(spec).ListToolsAsync(spec));

        Assert.Equal("nowhere", exception.Server);
        Assert.Contains("MCP server 'nowhere' is unavailable", exception.Message);
        Assert.Contains("refused", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_endpoint_that_refuses_the_upgrade_is_reported_with_its_http_status()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.WebSocket("no-upgrade", $"ws://127.0.0.1:{server.WebSocketUrl.Port}/nothing-here");

        var result = await mcp.Connection(spec).CallToolAsync(spec, "echo", """{"message":"x"}""");

        Assert.True(result.IsError);
        Assert.Contains("HTTP 404", result.Text);
    }
}
