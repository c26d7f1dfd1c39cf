using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class ToolPermissionsTests
{
    private static readonly ToolPermissions Policy = ToolPermissions.From(new Dictionary<string, ToolPermission>
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
        Assert.Equal("allow", ToolPermissions.From(new Dictionary<string, ToolPermission> { ["x_*"] = "deny" }).Resolve("y_tool"));
    }

    [Fact]
    public void Glob_characters_are_the_only_special_ones()
    {
        var policy = ToolPermissions.From(new Dictionary<string, ToolPermission> { ["a.b*"] = "deny" });

        Assert.Equal("deny", policy.Resolve("a.bc"));
        Assert.Equal("allow", policy.Resolve("axbc"));
    }

    [Theory]
    [InlineData("test_add", "allow")] // a conversation glob beats the agent's exact name
    [InlineData("test_echo", "ask")] // the conversation's most specific entry wins among its own
    [InlineData("other_tool", "deny")] // no conversation entry matches: the agent's apply
    public void Conversation_entries_take_precedence_over_the_agents(string tool, string expected)
    {
        var policy = ToolPermissions.From(
            agent: new Dictionary<string, ToolPermission> { ["test_add"] = "deny", ["*"] = "deny" },
            conversation: new Dictionary<string, ToolPermission> { ["test_*"] = "allow", ["test_echo"] = "ask" });

        Assert.Equal(expected, policy.Resolve(tool));
    }

    [Theory]
    [InlineData("""{"path":".env"}""", "deny")]
    [InlineData("""{"path":"app/config/.env"}""", "deny")]
    [InlineData("""{"path":"/srv/app/.env"}""", "deny")]
    [InlineData("""{"path":"app\\.env"}""", "deny")] // a Windows separator is read as '/'
    [InlineData("""{"path":"notes.env"}""", "allow")]
    [InlineData("""{"path":"src/main.cs"}""", "allow")]
    [InlineData("""{"content":"**/.env"}""", "allow")] // another argument is not looked at
    [InlineData("""{}""", "allow")]
    public void An_argument_pattern_decides_a_call_by_its_value(string arguments, string expected)
    {
        var rule = ToolPermissions.From(new Dictionary<string, ToolPermission>
        {
            ["filesystem_write_file"] = new() { Permission = "allow", Arguments = Patterns("path", ("**/.env", "deny")) },
        }).RuleFor("filesystem_write_file");

        Assert.Equal("allow", rule.Permission);
        Assert.Equal(expected, rule.ForCall(arguments));
    }

    [Theory]
    [InlineData("src/a/b.cs", "allow")]
    [InlineData("src/secrets/key.pem", "ask")]
    [InlineData("etc/passwd", "deny")]
    [InlineData("srcx/a.cs", "deny")]
    public void Within_an_argument_the_most_specific_value_pattern_wins(string path, string expected)
    {
        var rule = ToolPermissions.From(new Dictionary<string, ToolPermission>
        {
            ["fs_read"] = new() { Permission = "deny", Arguments = Patterns("path", ("**", "deny"), ("src/**", "allow"), ("src/secrets/*", "ask")) },
        }).RuleFor("fs_read");

        Assert.Equal(expected, rule.ForCall($$"""{"path":"{{path}}"}"""));
        Assert.True(rule.MayRun);
    }

    [Fact]
    public void A_single_star_stays_within_one_path_segment()
    {
        var rule = ToolPermissions.From(new Dictionary<string, ToolPermission>
        {
            ["fs_read"] = new() { Permission = "allow", Arguments = Patterns("path", ("docs/*", "ask")) },
        }).RuleFor("fs_read");

        Assert.Equal("ask", rule.ForCall("""{"path":"docs/a.md"}"""));
        Assert.Equal("allow", rule.ForCall("""{"path":"docs/sub/a.md"}"""));
    }

    [Fact]
    public void Across_arguments_the_strictest_decision_wins_and_non_strings_match_their_json()
    {
        var rule = ToolPermissions.From(new Dictionary<string, ToolPermission>
        {
            ["db_query"] = new()
            {
                Permission = "allow",
                Arguments = new Dictionary<string, IReadOnlyDictionary<string, string>>
                {
                    ["table"] = new Dictionary<string, string> { ["users"] = "ask" },
                    ["limit"] = new Dictionary<string, string> { ["1000?"] = "deny" },
                },
            },
        }).RuleFor("db_query");

        Assert.Equal("ask", rule.ForCall("""{"table":"users","limit":10}"""));
        Assert.Equal("deny", rule.ForCall("""{"table":"users","limit":10000}"""));
        Assert.Equal("allow", rule.ForCall("""{"table":"orders","limit":5}"""));
    }

    [Fact]
    public void A_denied_tool_runs_nothing_unless_an_argument_pattern_lets_calls_through()
    {
        var policy = ToolPermissions.From(new Dictionary<string, ToolPermission>
        {
            ["plain"] = "deny",
            ["patterned"] = new() { Permission = "deny", Arguments = Patterns("path", ("tmp/**", "allow")) },
            ["all_denied"] = new() { Permission = "deny", Arguments = Patterns("path", ("**", "deny")) },
        });

        Assert.False(policy.RuleFor("plain").MayRun);
        Assert.True(policy.RuleFor("patterned").MayRun);
        Assert.False(policy.RuleFor("all_denied").MayRun);
        Assert.True(policy.RuleFor("unlisted").MayRun);
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Patterns(string argument, params (string Glob, string Permission)[] patterns) =>
        new() { [argument] = patterns.ToDictionary(p => p.Glob, p => p.Permission) };
}
