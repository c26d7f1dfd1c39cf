using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class OperatorAgentsTests
{
    [Fact]
    public void Configuration_sections_keep_strings_that_look_like_numbers_and_read_numbers_from_strings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:bond:name"] = "007",
            ["Agents:bond:model:provider"] = "openai",
            ["Agents:bond:model:name"] = "4",
            ["Agents:bond:model:temperature"] = "0.25",
            ["Agents:bond:model:max_tokens"] = "512",
            ["Agents:bond:mcp:servers:0:name"] = "files",
            ["Agents:bond:mcp:servers:0:command"] = "node",
            ["Agents:bond:mcp:servers:0:args:0"] = "--port",
            ["Agents:bond:mcp:servers:0:args:1"] = "3000",
        }).Build();

        var agent = new OperatorAgents(configuration, null!, null!, TimeProvider.System, NullLogger<OperatorAgents>.Instance).Read().Single();

        Assert.Equal(("bond", "007", "4"), (agent.Id, agent.Name, agent.Model.Name));
        Assert.Equal(0.25, agent.Model.Temperature);
        Assert.Equal(512, agent.Model.MaxTokens);
        Assert.Equal(["--port", "3000"], agent.Mcp!.Servers![0].Args);
    }

    [Fact]
    public void Json_of_the_wrong_shape_is_a_validation_failure_naming_the_field()
    {
        var error = Assert.Throws<ValidationFailedException>(() =>
            OperatorAgents.ParseAgent(System.Text.Json.Nodes.JsonNode.Parse("""{"agent":{"name":"a","model":{"provider":"openai","name":"m","temperature":"hot"}}}"""), "test"));

        Assert.Equal("model.temperature", error.Errors.Single().Field);
    }
}
