using System.Diagnostics;
using System.Text.Json;
using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>The connection grain over stdio, against @modelcontextprotocol/server-everything and the project's test server.</summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpConnectionGrainStdioTests(McpCluster mcp)
{
    [Fact]
    public async Task Lists_the_everything_servers_tools_with_qualified_names_and_schemas()
    {
        var spec = McpTestServers.Everything();

        var tools = await mcp.Connection(spec).ListToolsAsync(spec);

        var echo = Assert.Single(tools, t => t.Name == "echo");
        Assert.Equal("everything", echo.Server);
        Assert.Equal("everything_echo", echo.QualifiedName);
        Assert.False(string.IsNullOrWhiteSpace(echo.Description));
        using var schema = JsonDocument.Parse(echo.InputSchemaJson);
        Assert.Equal("object", schema.RootElement.GetProperty("type").GetString());
        Assert.True(schema.RootElement.GetProperty("properties").TryGetProperty("message", out _));
        Assert.Contains(tools, t => t.QualifiedName == "everything_get-sum");
        Assert.All(tools, t => Assert.Equal(McpToolNames.Qualify("everything", t.Name), t.QualifiedName));
    }

    [Fact]
    public async Task Calls_echo_and_get_sum_on_the_everything_server()
    {
        var spec = McpTestServers.Everything();
        var grain = mcp.Connection(spec);

        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"hello from orleans"}""");
        var sum = await grain.CallToolAsync(spec, "get-sum", """{"a":2,"b":40.5}""");

        Assert.Equal(new McpToolResult(false, "Echo: hello from orleans"), echo);
        Assert.False(sum.IsError);
        Assert.Contains("42.5", sum.Text);
    }

    [Fact]
    public async Task Non_text_content_is_summarised()
    {
        var spec = McpTestServers.Everything();

        var image = await mcp.Connection(spec).CallToolAsync(spec, "get-tiny-image", "{}");

        Assert.False(image.IsError);
        Assert.Contains("[image image/png]", image.Text);
    }

    [Fact]
    public async Task Invalid_arguments_unknown_tools_and_malformed_json_give_error_results_and_the_session_goes_on()
    {
        var spec = McpTestServers.Everything();
        var grain = mcp.Connection(spec);

        var invalid = await grain.CallToolAsync(spec, "get-sum", """{"a":"two"}""");
        var unknown = await grain.CallToolAsync(spec, "no-such-tool", "{}");
        var malformed = await grain.CallToolAsync(spec, "echo", """{"message":""");
        var after = await grain.CallToolAsync(spec, "echo", """{"message":"still here"}""");

        Assert.True(invalid.IsError);
        Assert.True(unknown.IsError);
        Assert.Contains("no-such-tool", unknown.Text);
        Assert.True(malformed.IsError);
        Assert.Contains("not a JSON object", malformed.Text);
        Assert.Equal(new McpToolResult(false, "Echo: still here"), after);
        Assert.Single(ServerProcesses.WithMarker(McpTestServers.MarkerOf(spec)));
    }

    [Fact]
    public async Task A_killed_server_process_is_started_again_on_a_later_call()
    {
        var spec = McpTestServers.Everything();
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "Echo: one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));
        var first = await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec));

        await ServerProcesses.KillAsync(first);
        // The call racing the death may report the dead server; it must not throw, and a new process takes over.
        var results = new List<McpToolResult>();
        for (var attempt = 0; attempt < 3 && (results.Count == 0 || results[^1].IsError); attempt++)
        {
            results.Add(await grain.CallToolAsync(spec, "echo", """{"message":"two"}"""));
        }

        Assert.Equal(new McpToolResult(false, "Echo: two"), results[^1]);
        Assert.True(results.Count <= 2, string.Join(" / ", results.Select(r => r.Text)));
        Assert.All(results.SkipLast(1), r => Assert.Contains("unavailable", r.Text));
        var second = await ServerProcesses.SingleWithMarkerAsync(McpTestServers.MarkerOf(spec));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_an_error_result_for_calls_and_an_exception_for_listing()
    {
        var spec = McpServerSpec.Stdio("ghost", "/nonexistent/opencode-mcp-server");
        var grain = mcp.Connection(spec);

        var result = await grain.CallToolAsync(spec, "echo", "{}");
        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));

        Assert.True(result.IsError);
        Assert.StartsWith("MCP server 'ghost' is unavailable", result.Text);
        Assert.Equal("ghost", listing.Server);
        Assert.StartsWith("MCP server 'ghost' is unavailable", listing.Message);
    }

    [Fact]
    public async Task Test_server_over_stdio_echoes_adds_and_reports_failures()
    {
        var spec = McpTestServers.TestStdio();
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"über"}""");
        var add = await grain.CallToolAsync(spec, "add", """{"a":20,"b":22}""");
        var fail = await grain.CallToolAsync(spec, "fail", "{}");

        Assert.Equal(["test_add", "test_echo", "test_env", "test_fail", "test_slow"], tools.Select(t => t.QualifiedName).Order());
        Assert.Equal(new McpToolResult(false, "über"), echo);
        Assert.Equal(new McpToolResult(false, "42"), add);
        // The SDK's server prefixes the tool's message ("An error occurred invoking 'fail': ...").
        Assert.True(fail.IsError);
        Assert.Contains(TestTools.FailMessage, fail.Text);
    }

    [Fact]
    public async Task The_server_process_gets_the_specs_variables_but_not_the_silos_secrets()
    {
        Environment.SetEnvironmentVariable("OPENCODE_MCP_TEST_SECRET", "silo-secret");
        var spec = McpTestServers.TestStdio(env: new Dictionary<string, string> { ["GREETING"] = "hi" });
        var grain = mcp.Connection(spec);

        var greeting = await grain.CallToolAsync(spec, "env", """{"name":"GREETING"}""");
        var secret = await grain.CallToolAsync(spec, "env", """{"name":"OPENCODE_MCP_TEST_SECRET"}""");
        var path = await grain.CallToolAsync(spec, "env", """{"name":"PATH"}""");

        Assert.Equal(new McpToolResult(false, "hi"), greeting);
        Assert.Equal(new McpToolResult(false, ""), secret);
        Assert.False(string.IsNullOrEmpty(path.Text));
    }

    [Fact]
    public async Task A_slow_tool_times_out_as_an_error_result_within_the_call_timeout_and_the_session_goes_on()
    {
        var spec = McpTestServers.TestStdio(callTimeoutSeconds: 1);
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec)); // connects (listing may take longer than one call)

        var clock = Stopwatch.StartNew();
        var slow = await grain.CallToolAsync(spec, "slow", """{"ms":30000}""");
        var elapsed = clock.Elapsed;
        var after = await grain.CallToolAsync(spec, "echo", """{"message":"after"}""");

        Assert.True(slow.IsError);
        Assert.Contains("did not answer within 1 s", slow.Text);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(new McpToolResult(false, "after"), after);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_gives_an_error_result_within_the_call_timeout()
    {
        // A process that reads nothing and writes nothing: the MCP handshake never completes.
        var spec = McpServerSpec.Stdio("mute", "sleep", ["30"], callTimeoutSeconds: 1);

        var clock = Stopwatch.StartNew();
        var result = await mcp.Connection(spec).CallToolAsync(spec, "echo", "{}");

        Assert.True(result.IsError);
        Assert.Equal("MCP server 'mute' did not start or connect within the 1 s allowed for calling tool 'echo'.", result.Text);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_the_callers_token_cancels_the_call()
    {
        var spec = McpTestServers.TestStdio();
        var grain = mcp.Connection(spec);
        Assert.NotEmpty(await grain.ListToolsAsync(spec)); // connects (listing may take longer than one call)
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grain.CallToolAsync(spec, "slow", """{"ms":30000}""", cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(new McpToolResult(false, "after"), await grain.CallToolAsync(spec, "echo", """{"message":"after"}"""));
    }

    [Fact]
    public async Task Fifty_concurrent_calls_through_one_grain_share_one_session()
    {
        var spec = McpTestServers.TestStdio();
        var grain = mcp.Connection(spec);

        // Fifty first calls at once: one connect serves them all, and the calls run interleaved (each waits 300 ms).
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            i % 2 == 0
                ? grain.CallToolAsync(spec, "add", $$"""{"a":{{i}},"b":1000}""")
                : grain.CallToolAsync(spec, "slow", """{"ms":300}""")));
        var elapsed = clock.Elapsed;

        Assert.All(results, r => Assert.False(r.IsError, r.Text));
        Assert.All(Enumerable.Range(0, 50).Where(i => i % 2 == 0), i => Assert.Equal((i + 1000).ToString(), results[i].Text));
        Assert.All(Enumerable.Range(0, 50).Where(i => i % 2 == 1), i => Assert.Equal("done", results[i].Text));
        Assert.Single(ServerProcesses.WithMarker(McpTestServers.MarkerOf(spec)));
        Assert.True(elapsed < TimeSpan.FromSeconds(25 * 0.3), $"50 calls took {elapsed}: they were not multiplexed");
    }

    [Fact]
    public async Task A_spec_whose_key_is_not_the_grains_key_is_rejected()
    {
        var spec = McpTestServers.Everything();
        var other = McpTestServers.Everything();

        await Assert.ThrowsAsync<ArgumentException>(() => mcp.Connection(spec).CallToolAsync(other, "echo", "{}"));
    }
}
