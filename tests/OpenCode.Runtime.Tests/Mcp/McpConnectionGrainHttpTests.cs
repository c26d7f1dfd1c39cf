using System.Diagnostics;
using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>The connection grain over Streamable HTTP and SSE, against the project's test MCP server.</summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpConnectionGrainHttpTests(McpCluster mcp)
{
    [Fact]
    public async Task Streamable_http_lists_and_calls_tools()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.Http("web", server.StreamableHttpUrl.ToString());
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"over http"}""");
        var fail = await grain.CallToolAsync(spec, "fail", "{}");

        Assert.Equal(["web_add", "web_echo", "web_env", "web_fail", "web_slow"], tools.Select(t => t.QualifiedName).Order());
        Assert.Equal(new McpToolResult(false, "over http"), echo);
        // The SDK's server prefixes the tool's message ("An error occurred invoking 'fail': ...").
        Assert.True(fail.IsError);
        Assert.Contains(TestTools.FailMessage, fail.Text);
    }

    [Fact]
    public async Task Sse_transport_lists_and_calls_tools()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.Http("legacy", server.SseUrl.ToString(), McpTransport.Sse);
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var add = await grain.CallToolAsync(spec, "add", """{"a":1,"b":2}""");

        Assert.Contains(tools, t => t.QualifiedName == "legacy_echo");
        Assert.Equal(new McpToolResult(false, "3"), add);
    }

    [Fact]
    public async Task A_streamable_http_spec_falls_back_to_sse_when_the_endpoint_only_speaks_sse()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.Http("fallback", server.SseUrl.ToString(), McpTransport.StreamableHttp);
        var grain = mcp.Connection(spec);

        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"via sse"}""");

        Assert.Equal(new McpToolResult(false, "via sse"), echo);
    }

    [Fact]
    public async Task A_slow_tool_over_http_times_out_within_the_call_timeout()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var spec = McpServerSpec.Http("web", server.StreamableHttpUrl.ToString(), callTimeoutSeconds: 1);
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec)); // connects (listing may take longer than one call)

        var clock = Stopwatch.StartNew();
        var slow = await grain.CallToolAsync(spec, "slow", """{"ms":30000}""");

        Assert.True(slow.IsError);
        Assert.Contains("did not answer within 1 s", slow.Text);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(new McpToolResult(false, "after"), await grain.CallToolAsync(spec, "echo", """{"message":"after"}"""));
    }

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.Sse)]
    public async Task A_stopped_server_gives_error_results_and_once_it_is_back_on_the_same_port_calls_succeed_again(McpTransport transport)
    {
        var server = await TestMcpHttpServer.StartAsync();
        var port = server.StreamableHttpUrl.Port;
        var url = transport == McpTransport.Sse ? server.SseUrl : server.StreamableHttpUrl;
        var spec = McpServerSpec.Http("flaky", url.ToString(), transport, callTimeoutSeconds: 10);
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "before"), await grain.CallToolAsync(spec, "echo", """{"message":"before"}"""));

        await server.DisposeAsync();
        var clock = Stopwatch.StartNew();
        var down = await grain.CallToolAsync(spec, "echo", """{"message":"while down"}""");
        var downElapsed = clock.Elapsed;
        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));

        await using var restarted = await TestMcpHttpServer.StartAsync(port);
        var back = await grain.CallToolAsync(spec, "echo", """{"message":"back"}""");

        Assert.True(down.IsError);
        Assert.StartsWith("MCP server 'flaky' is unavailable", down.Text);
        Assert.True(downElapsed < TimeSpan.FromSeconds(5), $"the dead server took {downElapsed} to report");
        Assert.Equal("flaky", listing.Server);
        Assert.Equal(new McpToolResult(false, "back"), back);
    }

    [Fact]
    public async Task A_session_based_server_that_restarted_and_forgot_the_session_is_reconnected_without_a_failed_call()
    {
        var port = LoopbackPort.Next();
        var spec = McpServerSpec.Http("everything", $"http://127.0.0.1:{port}/mcp");
        var grain = mcp.Connection(spec);
        await using (var first = await EverythingHttpServer.StartAsync(port))
        {
            Assert.Equal(new McpToolResult(false, "Echo: one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));
            Assert.Contains(await grain.ListToolsAsync(spec), t => t.QualifiedName == "everything_get-sum");
        }

        // No call while it was down: the grain still holds the old session, which the new process rejects.
        await using var second = await EverythingHttpServer.StartAsync(port);
        var afterRestart = await grain.CallToolAsync(spec, "echo", """{"message":"two"}""");
        var next = await grain.CallToolAsync(spec, "echo", """{"message":"three"}""");

        Assert.Equal(new McpToolResult(false, "Echo: two"), afterRestart);
        Assert.Equal(new McpToolResult(false, "Echo: three"), next);
    }

    [Fact]
    public async Task Listing_an_unreachable_server_throws_a_clear_exception_through_the_grain_boundary()
    {
        var spec = McpServerSpec.Http("nowhere", McpTestServers.UnreachableUrl());

        var exception = await Assert.ThrowsAsync<McpServerUnavailableException>(() => mcp.Connection(spec).ListToolsAsync(spec));

        Assert.Equal("nowhere", exception.Server);
        Assert.Equal(McpServerUnavailableException.ErrorCode, exception.Code);
        Assert.Contains("MCP server 'nowhere' is unavailable", exception.Message);
        Assert.Contains("refused", exception.Message, StringComparison.OrdinalIgnoreCase);
    }
}
