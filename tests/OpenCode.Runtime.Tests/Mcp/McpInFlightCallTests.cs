using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using ModelContextProtocol.Server;
using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;
using OpenCode.Testing;
using OpenCode.Runtime.Tests.Security;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// A tool call in flight never hangs: a server that dies mid-call fails it at once as a tool error, and a tool that
/// never answers fails at the server's call timeout (<c>timeoutSeconds</c>, default 60 s).
/// </summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpInFlightCallTests(McpCluster mcp)
{
    /// <summary>Well under the default call timeout: an answer this fast came from noticing the death, not from the timeout.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_call_in_flight_when_the_stdio_server_is_killed_fails_at_once_as_a_tool_error()
    {
        var spec = McpTestServers.TestStdio(callTimeoutSeconds: McpServerSpec.DefaultCallTimeoutSeconds);
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec));
        var pid = await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec));

        var call = grain.CallToolAsync(spec, "slow", """{"ms":600000}""");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        await ServerProcesses.KillAsync(pid);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(clock.Elapsed < Prompt, $"the call failed {clock.Elapsed} after the kill");
        Assert.True(result.IsError);
        Assert.StartsWith("MCP server 'test' is unavailable", result.Text);
        Assert.Equal(new McpToolResult(false, "after"), await grain.CallToolAsync(spec, "echo", """{"message":"after"}"""));
    }

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.Sse)]
    [InlineData(McpTransport.WebSocket)]
    public async Task A_call_in_flight_when_the_network_server_process_is_killed_fails_at_once_as_a_tool_error(McpTransport transport)
    {
        var port = LoopbackPort.Next();
        await using var server = ChildProcess.StartDotnet(typeof(TestTools).Assembly.Location, ["mcp-http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await server.WaitForOutputAsync("WebSocket: ws://", TimeSpan.FromSeconds(60)); // its last start-up line
        var spec = transport switch
        {
            McpTransport.WebSocket => McpServerSpec.WebSocket("killed", $"ws://127.0.0.1:{port}/ws"),
            McpTransport.Sse => McpServerSpec.Http("killed", $"http://127.0.0.1:{port}/mcp/sse", McpTransport.Sse),
            _ => McpServerSpec.Http("killed", $"http://127.0.0.1:{port}/mcp"),
        };
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec));

        var call = grain.CallToolAsync(spec, "slow", """{"ms":600000}""");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        server.Kill();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(clock.Elapsed < Prompt, $"the call failed {clock.Elapsed} after the kill");
        Assert.True(result.IsError);
        Assert.StartsWith("MCP server 'killed' is unavailable", result.Text);
    }

    [Fact]
    public async Task A_tool_that_never_answers_fails_at_the_timeout_of_its_server_entry_and_the_session_goes_on()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var never = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Ignores cancellation too: the client must not depend on the server giving up.
        server.AddTool(McpServerTool.Create(() => never.Task, new McpServerToolCreateOptions { Name = "hang", Description = "Never answers." }));
        var resolver = new McpServerResolver(new OperatorMcpServers(new ConfigurationBuilder().Build()), TestEndpointPolicies.Create());
        var (spec, _) = resolver.Resolve(new McpServerConfig { Name = "stuck", Url = server.StreamableHttpUrl.ToString(), TimeoutSeconds = 2 });
        var grain = mcp.Connection(spec!);
        Assert.Contains(await grain.ListToolsAsync(spec!), t => t.Name == "hang");

        var clock = Stopwatch.StartNew();
        var hang = await grain.CallToolAsync(spec!, "hang", "{}");
        var elapsed = clock.Elapsed;
        var after = await grain.CallToolAsync(spec!, "echo", """{"message":"after"}""");
        never.SetResult("too late");

        Assert.Equal(new McpToolResult(true, "Tool 'hang' of MCP server 'stuck' did not answer within 2 s and was cancelled."), hang);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(20));
        Assert.Equal(new McpToolResult(false, "after"), after);
        Assert.Equal(1, server.Handshakes);
    }

    [Fact]
    public void A_server_entry_without_timeoutSeconds_gets_the_60_s_default()
    {
        var resolver = new McpServerResolver(new OperatorMcpServers(new ConfigurationBuilder().Build()), TestEndpointPolicies.Create());

        var (spec, _) = resolver.Resolve(new McpServerConfig { Name = "plain", Url = "http://127.0.0.1:1/mcp" });

        Assert.Equal(60, spec!.CallTimeoutSeconds);
    }
}
