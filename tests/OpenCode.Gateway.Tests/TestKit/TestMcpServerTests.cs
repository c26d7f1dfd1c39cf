using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.TestKit;

/// <summary>The test MCP server over each transport the gateway supports, driven by the SDK's own client.</summary>
public sealed class TestMcpServerTests : IAsyncLifetime
{
    private TestMcpHttpServer _http = null!;

    public async Task InitializeAsync() => _http = await TestMcpHttpServer.StartAsync();

    public async Task DisposeAsync() => await _http.DisposeAsync();

    [Fact]
    public async Task Stdio_server_serves_the_test_tools_and_sees_the_environment_it_was_given()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "test-stdio",
            Command = TestMcpServerCommand.Command,
            Arguments = [.. TestMcpServerCommand.Args],
            EnvironmentVariables = new Dictionary<string, string?> { ["OPENCODE_TEST_SECRET"] = "from the test" },
        });
        await using var client = await McpClient.CreateAsync(transport);

        await AssertServesTestToolsAsync(client);
        Assert.Equal("from the test", Text(await client.CallToolAsync("env", Args(("name", "OPENCODE_TEST_SECRET")))));
    }

    [Fact]
    public async Task Streamable_http_server_serves_the_test_tools()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = _http.StreamableHttpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
        }));

        await AssertServesTestToolsAsync(client);
    }

    [Fact]
    public async Task Legacy_sse_endpoint_serves_the_test_tools()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = _http.SseUrl,
            TransportMode = HttpTransportMode.Sse,
        }));

        await AssertServesTestToolsAsync(client);
    }

    [Fact]
    public async Task Slow_tool_waits_and_can_be_cancelled()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = _http.StreamableHttpUrl }));

        Assert.Equal("done", Text(await client.CallToolAsync("slow", Args(("ms", 50)))));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallToolAsync("slow", Args(("ms", 30_000)), cancellationToken: cts.Token).AsTask());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
    }

    private static async Task AssertServesTestToolsAsync(McpClient client)
    {
        Assert.Equal("opencode-test-mcp", client.ServerInfo?.Name);

        var tools = await client.ListToolsAsync();
        Assert.Equal(["add", "echo", "env", "fail", "slow"], tools.Select(t => t.Name).Order());
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));

        var echo = await client.CallToolAsync("echo", Args(("message", "hello mcp")));
        Assert.NotEqual(true, echo.IsError);
        Assert.Equal("hello mcp", Text(echo));

        Assert.Equal("5", Text(await client.CallToolAsync("add", Args(("a", 2), ("b", 3)))));

        var fail = await client.CallToolAsync("fail");
        Assert.True(fail.IsError);
        Assert.Contains(TestTools.FailMessage, Text(fail));
    }

    private static Dictionary<string, object?> Args(params (string Name, object? Value)[] args) =>
        args.ToDictionary(a => a.Name, a => a.Value);

    private static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
