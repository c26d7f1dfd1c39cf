using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

[Collection(McpClusterCollection.Name)]
public sealed class ToolCatalogTests(McpCluster mcp)
{
    [Fact]
    public async Task Loads_every_servers_tools_and_reports_an_unreachable_server_without_losing_the_others()
    {
        await using var http = await TestMcpHttpServer.StartAsync();
        McpServerSpec[] servers =
        [
            McpTestServers.Everything(),
            McpServerSpec.Http("test", http.StreamableHttpUrl.ToString()),
            McpServerSpec.Http("down", McpTestServers.UnreachableUrl()),
        ];

        var catalog = await mcp.Catalog.LoadAsync(servers, CancellationToken.None);

        var error = Assert.Single(catalog.Errors);
        Assert.Equal("down", error.Server);
        Assert.Contains("MCP server 'down' is unavailable", error.Message);
        // Both servers offer "echo": qualification keeps them apart.
        Assert.Contains(catalog.Tools, t => t is { QualifiedName: "everything_echo", Server: "everything", Name: "echo" });
        Assert.Contains(catalog.Tools, t => t is { QualifiedName: "test_echo", Server: "test", Name: "echo" });
        Assert.DoesNotContain(catalog.Tools, t => t.Server == "down");
        Assert.Equal(catalog.Tools.Count, catalog.Tools.Select(t => t.QualifiedName).Distinct().Count());
    }

    [Fact]
    public async Task Tools_from_the_catalog_are_called_through_their_servers_grain()
    {
        var everything = McpTestServers.Everything();
        var test = McpTestServers.TestStdio();

        var catalog = await mcp.Catalog.LoadAsync([everything, test], CancellationToken.None);
        var specs = new Dictionary<string, McpServerSpec> { [everything.Name] = everything, [test.Name] = test };
        var results = await Task.WhenAll(catalog.Tools
            .Where(t => t.Name == "echo")
            .Select(t => mcp.Connection(specs[t.Server]).CallToolAsync(specs[t.Server], t.Name, """{"message":"x"}""")));

        Assert.Empty(catalog.Errors);
        Assert.Equal([new McpToolResult(false, "x"), new McpToolResult(false, "Echo: x")], results.OrderBy(r => r.Text.Length));
    }

    [Fact]
    public async Task A_tool_whose_qualified_name_is_taken_is_left_out_with_an_error_instead_of_shadowing()
    {
        // "a_b" + "echo" and "a" + "b_echo" would both be a_b_echo; "test" twice would clash on every tool.
        var first = McpTestServers.TestStdio(name: "test");
        var second = McpTestServers.TestStdio(name: "test");

        var catalog = await mcp.Catalog.LoadAsync([first, second], CancellationToken.None);

        Assert.Equal(["test_add", "test_echo", "test_env", "test_fail", "test_slow"], catalog.Tools.Select(t => t.QualifiedName).Order());
        var error = Assert.Single(catalog.Errors);
        Assert.Equal("test", error.Server);
        Assert.Contains("already taken", error.Message);
        Assert.Contains("test_echo (taken by server 'test')", error.Message);
    }

    [Fact]
    public async Task No_servers_is_an_empty_catalog()
    {
        var catalog = await mcp.Catalog.LoadAsync([], CancellationToken.None);

        Assert.Empty(catalog.Tools);
        Assert.Empty(catalog.Errors);
    }
}
