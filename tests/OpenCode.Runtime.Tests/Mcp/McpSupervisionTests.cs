using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// Sessions that die are noticed and rebuilt in the background, with no call to trigger it, and the connection
/// grain's status says where each one stands (a cluster whose supervision runs on a test's time scale).
/// </summary>
[Collection(SupervisedMcpClusterCollection.Name)]
public sealed class McpSupervisionTests(SupervisedMcpCluster mcp)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_server_nobody_used_on_this_silo_is_not_connected_and_reading_the_status_does_not_connect()
    {
        var spec = McpTestServers.TestStdio();

        var status = await mcp.Connection(spec).GetStatusAsync();

        Assert.Equal(McpConnectionStatus.NotConnected, status);
        Assert.Empty(ServerProcesses.WithMarker(McpTestServers.MarkerOf(spec)));
    }

    [Fact]
    public async Task A_killed_stdio_server_is_started_again_in_the_background_without_a_call()
    {
        var spec = McpTestServers.TestStdio();
        var grain = mcp.Connection(spec);
        Assert.Equal(5, (await grain.ListToolsAsync(spec)).Count);
        // The session reports its tool count once its own listing is done, which may finish after the call above.
        var before = await grain.WaitForStatusAsync(s => s.ToolCount is not null, Patience);
        var first = await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec));

        await ServerProcesses.KillAsync(first);
        var after = await grain.WaitForStatusAsync(s => s.State == McpConnectionState.Connected && s.ConnectedSince > before.ConnectedSince, Patience);

        Assert.Equal(McpConnectionState.Connected, before.State);
        Assert.Equal(5, before.ToolCount);
        Assert.Null(before.LastError);
        Assert.Contains("the server process exited", after.LastError);
        Assert.NotNull(after.LastErrorAt);
        var second = await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec));
        Assert.NotEqual(first, second);
        Assert.Equal(new McpToolResult(false, "after"), await grain.CallToolAsync(spec, "echo", """{"message":"after"}"""));
    }

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.Sse)]
    [InlineData(McpTransport.WebSocket)]
    public async Task A_server_that_went_away_is_noticed_without_a_call_and_reconnected_in_the_background_once_it_is_back(McpTransport transport)
    {
        var server = await TestMcpHttpServer.StartAsync();
        var port = server.StreamableHttpUrl.Port;
        var spec = Spec(server, transport);
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "before"), await grain.CallToolAsync(spec, "echo", """{"message":"before"}"""));

        await server.DisposeAsync();
        var down = await grain.WaitForStatusAsync(s => s.State == McpConnectionState.Reconnecting && s.NextRetryAt is not null, Patience);
        await using var restarted = await TestMcpHttpServer.StartAsync(port);
        var back = await grain.WaitForStatusAsync(s => s.State == McpConnectionState.Connected, Patience);
        var sessionsBeforeACall = restarted.Handshakes;

        Assert.InRange(down.Attempt ?? 0, 1, SupervisedMcpCluster.MaxRetries);
        Assert.False(string.IsNullOrWhiteSpace(down.LastError));
        Assert.True(down.NextRetryAt > down.LastErrorAt, $"{down}");
        Assert.NotNull(back.ConnectedSince);
        Assert.Equal(1, sessionsBeforeACall);
        Assert.Equal(new McpToolResult(false, "back"), await grain.CallToolAsync(spec, "echo", """{"message":"back"}"""));
        Assert.Equal(1, restarted.Handshakes);
    }

    [Fact]
    public async Task Background_retries_back_off_give_up_after_the_configured_attempts_and_the_next_call_connects_again()
    {
        var port = LoopbackPort.Next();
        var spec = McpServerSpec.Http("gone", $"http://127.0.0.1:{port}/mcp", callTimeoutSeconds: 10);
        var grain = mcp.Connection(spec);

        var first = await grain.CallToolAsync(spec, "echo", """{"message":"nobody there"}""");
        var seen = new List<McpConnectionStatus>();
        var failed = await grain.WaitForStatusAsync(s => s.State == McpConnectionState.Failed, TimeSpan.FromSeconds(120), seen);
        await using var server = await TestMcpHttpServer.StartAsync(port);
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the longest retry delay: nobody retries any more
        var stillFailed = await grain.GetStatusAsync();
        var sessionsWhileFailed = server.Handshakes;
        var call = await grain.CallToolAsync(spec, "echo", """{"message":"back"}""");

        Assert.True(first.IsError);
        Assert.StartsWith("MCP server 'gone' is unavailable", first.Text);
        var attempts = seen.Where(s => s.State == McpConnectionState.Reconnecting).Select(s => s.Attempt ?? 0).ToList();
        Assert.Equal(attempts.Order(), attempts); // attempts only go up
        Assert.Equal(SupervisedMcpCluster.MaxRetries, attempts.Max());
        Assert.Contains("refused", failed.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(McpConnectionState.Failed, stillFailed.State);
        Assert.Equal(0, sessionsWhileFailed);
        Assert.Equal(new McpToolResult(false, "back"), call);
        Assert.Equal(McpConnectionState.Connected, (await grain.GetStatusAsync()).State);
    }

    [Fact]
    public async Task Secrets_a_dying_server_prints_are_masked_in_call_errors_and_in_the_status()
    {
        const string secret = "sk-live-4b1e2c9d8a7f-secret";
        var spec = McpServerSpec.Stdio(
            "leaky", "sh", ["-c", "echo \"starting with token=$API_TOKEN\" >&2; exit 3"],
            new Dictionary<string, string> { ["API_TOKEN"] = secret, [McpTestServers.MarkerVariable] = Guid.NewGuid().ToString("N") });
        var grain = mcp.Connection(spec);

        var result = await grain.CallToolAsync(spec, "echo", """{"message":"x"}""");
        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));
        // Which attempt first sees the exit code (and so the stderr lines) depends on timing; the supervisor's retries
        // reach one that does.
        var status = await grain.WaitForStatusAsync(s => s.LastError?.Contains("exited with code 3", StringComparison.Ordinal) == true, Patience);

        Assert.True(result.IsError);
        Assert.Contains("token=***", status.LastError);
        foreach (var text in new[] { result.Text, listing.Message, status.LastError! })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    private static McpServerSpec Spec(TestMcpHttpServer server, McpTransport transport) => transport switch
    {
        McpTransport.WebSocket => McpServerSpec.WebSocket("socket", server.WebSocketUrl.ToString(), callTimeoutSeconds: 10),
        McpTransport.Sse => McpServerSpec.Http("legacy", server.SseUrl.ToString(), McpTransport.Sse, callTimeoutSeconds: 10),
        _ => McpServerSpec.Http("web", server.StreamableHttpUrl.ToString(), callTimeoutSeconds: 10),
    };
}
