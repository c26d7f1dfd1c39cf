using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Mcp;

public sealed class McpToolNamesTests
{
    [Theory]
    [InlineData("everything", "echo", "everything_echo")]
    [InlineData("everything", "get-sum", "everything_get-sum")]
    [InlineData("my files", "read.file", "my_files_read_file")]
    [InlineData("srv", "näme/ü", "srv_n_me__")]
    public void Qualify_joins_with_an_underscore_and_replaces_characters_outside_the_allowed_set(string server, string tool, string expected) =>
        Assert.Equal(expected, McpToolNames.Qualify(server, tool));

    [Fact]
    public void Sanitize_returns_an_already_safe_name_as_is()
    {
        const string name = "already_safe-Name9";

        Assert.Same(name, McpToolNames.Sanitize(name));
    }
}
