using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>The published <c>@modelcontextprotocol/server-filesystem</c> over stdio, through the connection grain.</summary>
[Collection(McpClusterCollection.Name)]
public sealed class FilesystemServerTests(McpCluster mcp) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("opencode-fs-");

    [Fact]
    public async Task Lists_a_directory_and_reads_a_file()
    {
        await File.WriteAllTextAsync(Path.Combine(_root.FullName, "notes.txt"), "remember the milk\n");
        _root.CreateSubdirectory("docs");
        var spec = McpTestServers.Filesystem(_root.FullName);
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var listing = await grain.CallToolAsync(spec, "list_directory", Json(new { path = _root.FullName }));
        var file = await grain.CallToolAsync(spec, "read_text_file", Json(new { path = Path.Combine(_root.FullName, "notes.txt") }));

        Assert.Contains(tools, t => t.QualifiedName == "filesystem_list_directory");
        Assert.Contains(tools, t => t.QualifiedName == "filesystem_read_text_file");
        Assert.False(listing.IsError, listing.Text);
        Assert.Equal(["[DIR] docs", "[FILE] notes.txt"], listing.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal(new McpToolResult(false, "remember the milk\n"), file);
    }

    [Fact]
    public async Task A_path_outside_the_allowed_directory_is_an_error_result()
    {
        var spec = McpTestServers.Filesystem(_root.FullName);

        var outside = await mcp.Connection(spec).CallToolAsync(spec, "read_text_file", Json(new { path = "/etc/hostname" }));

        Assert.True(outside.IsError);
        Assert.Contains("outside allowed directories", outside.Text, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static string Json(object arguments) => System.Text.Json.JsonSerializer.Serialize(arguments);
}
