using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// End to end: the fake model asks for a tool, the tool runs on a real MCP server, the model answers,
/// and all of it is in the history.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ToolTurnTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    public static TheoryData<string> Servers => ["stdio", "http", "websocket", "operator", "everything"];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_model_calls_a_tool_and_answers_with_its_result(string server)
    {
        var (entry, tool, arguments, expected) = server switch
        {
            "stdio" => (StdioServer("test"), "test_echo", """{"message":"ping over stdio"}""", "ping over stdio"),
            "http" => ($$"""{ "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" }""", "web_add", """{"a":2,"b":40}""", "42"),
            "websocket" => ($$"""{ "name": "socket", "url": "{{fixture.Mcp.WebSocketUrl}}" }""", "socket_echo", """{"message":"ping over a websocket"}""", "ping over a websocket"),
            "operator" => ("""{ "name": "operator-mcp" }""", "operator-mcp_echo", """{"message":"by name"}""", "by name"),
            _ => (EverythingServer(), "everything_echo", """{"message":"from npm"}""", "from npm"),
        };
        var (agent, model) = await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ {{entry}} ] } }""");
        fixture.Model.Script(model, FakeReply.ToolCall(tool, arguments), FakeReply.Text("all done"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "use the tool" });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var reply = JsonNode.Parse(body)!;
        Assert.Equal("all done", (string?)reply["content"]);
        var call = reply["toolCalls"]!.AsArray().Single()!;
        Assert.Equal(tool, (string?)call["name"]);
        Assert.Equal("completed", (string?)call["status"]);
        Assert.Contains(expected, (string?)call["result"]);
        Assert.Equal(JsonNode.Parse(arguments)!.ToJsonString(), call["arguments"]!.ToJsonString());

        var requests = fixture.Model.Requests.Where(r => r.Model == model).ToList();
        Assert.Contains(tool, requests[0].ToolNames);
        Assert.Contains(requests[1].Messages, m => m.Role == "tool" && m.Content!.Contains(expected, StringComparison.Ordinal));

        var history = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();
        Assert.Equal(3, history.Count);
        Assert.Equal("completed", (string?)history[1]!["toolCalls"]![0]!["status"]);
        Assert.Contains(expected, (string?)history[1]!["toolCalls"]![0]!["result"]);
        Assert.Equal("all done", (string?)history[2]!["content"]);
    }

    [Fact]
    public async Task A_failing_tool_is_an_error_result_and_the_turn_goes_on()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ {{StdioServer("test")}} ] } }""");
        fixture.Model.Script(model, FakeReply.ToolCall("test_fail", "{}"), FakeReply.Text("the tool failed, sorry"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "try" }));

        Assert.Equal("the tool failed, sorry", (string?)reply["content"]);
        Assert.Equal("failed", (string?)reply["toolCalls"]![0]!["status"]);
        var toolMessage = fixture.Model.Requests.Where(r => r.Model == model).Last().Messages.Last(m => m.Role == "tool");
        Assert.Contains("Error", toolMessage.Content, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_server_that_goes_down_gives_tool_errors_and_is_used_again_once_it_is_back()
    {
        var port = LoopbackPort.Next();
        var server = await TestMcpHttpServer.StartAsync(port);
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "flaky", "url": "{{server.StreamableHttpUrl}}" }, {{StdioServer("test")}} ] } }
            """);
        var conversation = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.ToolCall("flaky_echo", """{"message":"one"}"""), FakeReply.Text("first"));
        var first = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "1" }));
        Assert.Equal("completed", (string?)first["toolCalls"]![0]!["status"]);

        await server.DisposeAsync();
        fixture.Model.Script(model, FakeReply.ToolCall("flaky_echo", """{"message":"two"}"""), FakeReply.Text("it is down"));
        var down = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "2" });

        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        var failed = await ReadAsync(down);
        Assert.Equal("it is down", (string?)failed["content"]);
        Assert.Equal("failed", (string?)failed["toolCalls"]![0]!["status"]);

        await using var back = await TestMcpHttpServer.StartAsync(port);
        fixture.Model.Script(model, FakeReply.ToolCall("flaky_echo", """{"message":"three"}"""), FakeReply.Text("back"));
        var again = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "3" }));
        Assert.Equal("completed", (string?)again["toolCalls"]![0]!["status"]);
        Assert.Contains("three", (string?)again["toolCalls"]![0]!["result"]);
    }

    [Fact]
    public async Task A_turn_that_outlives_its_timeout_fails_and_its_running_tool_call_is_cancelled()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{StdioServer("test")}} ] }, "limits": { "turnTimeoutSeconds": 1 } }
            """);
        fixture.Model.Script(model, FakeReply.ToolCall("test_slow", """{"ms":5000}"""), FakeReply.Text("never"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "slowly" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        Assert.Equal("turnTimeoutSeconds", (string?)problem["limit"]);
        Assert.Contains("turnTimeoutSeconds", (string?)problem["detail"]);
        var history = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();
        Assert.Equal("cancelled", (string?)history[^1]!["toolCalls"]![0]!["status"]);
        Assert.Equal("idle", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["status"]);
    }

    [Fact]
    public async Task Denied_tools_are_not_offered_and_are_refused_if_called()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{StdioServer("test")}} ] }, "permissions": { "test_*": "allow", "test_add": "deny" } }
            """);
        fixture.Model.Script(model, FakeReply.ToolCall("test_add", """{"a":1,"b":2}"""), FakeReply.Text("ok"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" }));

        var offered = fixture.Model.Requests.First(r => r.Model == model).ToolNames;
        Assert.Contains("test_echo", offered);
        Assert.DoesNotContain("test_add", offered);
        Assert.Equal("rejected", (string?)reply["toolCalls"]![0]!["status"]);
    }

    [Fact]
    public async Task An_agent_allowed_no_tool_calls_is_offered_no_tools()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{StdioServer("test")}} ] }, "limits": { "maxToolCallsPerTurn": 0 } }
            """);
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "no tools" }));

        Assert.Equal("echo: no tools", (string?)reply["content"]);
        Assert.Empty(fixture.Model.Requests.Single(r => r.Model == model).ToolNames);
    }

    [Fact]
    public async Task The_agent_tools_endpoint_lists_tools_with_permissions_and_failed_servers()
    {
        var port = LoopbackPort.Next();
        var (agent, _) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" }, { "name": "down", "url": "http://127.0.0.1:{{port}}/mcp" } ] },
              "permissions": { "web_fail": "deny" } }
            """);

        var tools = await ReadAsync(await Client.GetAsync($"/agents/{agent}/tools"));

        var byName = tools["tools"]!.AsArray().ToDictionary(t => (string)t!["name"]!);
        Assert.Equal("allow", (string?)byName["web_echo"]!["permission"]);
        Assert.Equal("deny", (string?)byName["web_fail"]!["permission"]);
        Assert.Equal("object", (string?)byName["web_add"]!["inputSchema"]!["type"]);
        Assert.Equal("down", (string?)tools["errors"]!.AsArray().Single()!["server"]);
    }

    private static string StdioServer(string name) =>
        JsonSerializer.Serialize(new { name, command = TestMcpServerCommand.Command, args = TestMcpServerCommand.Args });

    private static string EverythingServer() => JsonSerializer.Serialize(new
    {
        name = "everything",
        command = "node",
        args = new[] { Path.Combine(RepositoryPaths.NodeModules, "@modelcontextprotocol", "server-everything", "dist", "index.js"), "stdio" },
    });
}
