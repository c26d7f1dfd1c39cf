using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class ToolPermissionJsonTests
{
    [Fact]
    public void The_string_form_is_read_and_written_as_a_string()
    {
        var permissions = JsonSerializer.Deserialize<Dictionary<string, ToolPermission>>("""{"test_*":"ask"}""", OpenCodeJson.Options)!;

        Assert.Equal("ask", permissions["test_*"].Permission);
        Assert.Null(permissions["test_*"].Arguments);
        Assert.Equal("""{"test_*":"ask"}""", JsonSerializer.Serialize(permissions, OpenCodeJson.Options));
    }

    [Fact]
    public void The_object_form_with_argument_patterns_round_trips()
    {
        const string json = """{"fs_write":{"permission":"allow","arguments":{"path":{"**/.env":"deny","tmp/*":"ask"}}}}""";

        var permissions = JsonSerializer.Deserialize<Dictionary<string, ToolPermission>>(json, OpenCodeJson.Options)!;

        Assert.Equal("allow", permissions["fs_write"].Permission);
        Assert.Equal("deny", permissions["fs_write"].Arguments!["path"]["**/.env"]);
        Assert.Equal(json, JsonSerializer.Serialize(permissions, OpenCodeJson.Options));
    }

    [Theory]
    [InlineData("""{"t": 5}""", "expected \"allow\"")]
    [InlineData("""{"t": {"permission": "allow", "args": {}}}""", "unknown field 'args'")]
    [InlineData("""{"t": {"permission": 1}}""", "'permission' must be")]
    [InlineData("""{"t": {"permission": "allow", "arguments": {"path": "deny"}}}""", "'arguments' must map")]
    [InlineData("""{"t": {"permission": "allow", "arguments": {"path": {"*.env": true}}}}""", "pattern '*.env'")]
    public void Other_shapes_are_refused_with_what_was_expected(string json, string expected)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dictionary<string, ToolPermission>>(json, OpenCodeJson.Options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("$.t", error.Path, StringComparison.Ordinal);
    }
}
