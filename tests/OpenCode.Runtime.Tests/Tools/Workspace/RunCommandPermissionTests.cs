using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary><c>workspace_run_command</c> asks unless the agent's permissions name it exactly; globs can only make it stricter.</summary>
public sealed class RunCommandPermissionTests
{
    private const string RunCommand = "workspace_run_command";

    [Fact]
    public void Without_permissions_it_asks_while_the_other_workspace_tools_are_allowed()
    {
        var policy = ToolPermissions.From(null);

        Assert.Equal("ask", policy.Resolve(RunCommand));
        Assert.Equal("allow", policy.Resolve("workspace_read_file"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("workspace_*")]
    [InlineData("workspace_run_*")]
    [InlineData("workspace_run_comman?")]
    public void A_glob_that_allows_it_still_asks(string glob)
    {
        var policy = ToolPermissions.From(new Dictionary<string, ToolPermission> { [glob] = "allow" });

        Assert.Equal("ask", policy.Resolve(RunCommand));
        Assert.Equal("allow", policy.Resolve("workspace_write_file"));
    }

    [Fact]
    public void A_glob_that_denies_it_denies_it()
    {
        Assert.Equal("deny", ToolPermissions.From(new Dictionary<string, ToolPermission> { ["workspace_*"] = "deny" }).Resolve(RunCommand));
    }

    [Theory]
    [InlineData("allow")]
    [InlineData("ask")]
    [InlineData("deny")]
    public void Naming_it_exactly_decides(string mode)
    {
        var policy = ToolPermissions.From(new Dictionary<string, ToolPermission> { ["*"] = "deny", [RunCommand] = mode });

        Assert.Equal(mode, policy.Resolve(RunCommand));
    }
}
