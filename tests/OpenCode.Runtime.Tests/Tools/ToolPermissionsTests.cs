using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class ToolPermissionsTests
{
    private static readonly ToolPermissions Policy = ToolPermissions.From(new Dictionary<string, string>
    {
        ["*"] = "deny",
        ["everything_*"] = "allow",
        ["filesystem_write_*"] = "ask",
        ["filesystem_*"] = "allow",
        ["filesystem_write_file"] = "deny",
        ["db_?uery"] = "allow",
    });

    [Theory]
    [InlineData("everything_echo", "allow")]
    [InlineData("filesystem_read_file", "allow")]
    [InlineData("filesystem_write_notes", "ask")]
    [InlineData("filesystem_write_file", "deny")]
    [InlineData("db_query", "allow")]
    [InlineData("db_qquery", "deny")]
    [InlineData("other_tool", "deny")]
    public void The_most_specific_pattern_wins(string tool, string expected) => Assert.Equal(expected, Policy.Resolve(tool));

    [Fact]
    public void Without_permissions_everything_is_allowed()
    {
        Assert.Equal("allow", ToolPermissions.From(null).Resolve("anything"));
        Assert.Equal("allow", ToolPermissions.From(new Dictionary<string, string> { ["x_*"] = "deny" }).Resolve("y_tool"));
    }

    [Fact]
    public void Glob_characters_are_the_only_special_ones()
    {
        var policy = ToolPermissions.From(new Dictionary<string, string> { ["a.b*"] = "deny" });

        Assert.Equal("deny", policy.Resolve("a.bc"));
        Assert.Equal("allow", policy.Resolve("axbc"));
    }
}
