using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>Argument patterns, per-conversation permissions and how both are validated.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PermissionsTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_argument_pattern_refuses_a_call_and_the_model_gets_the_refusal_as_the_result()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{WebServer()}} ] },
              "permissions": { "web_echo": { "permission": "allow", "arguments": { "message": { "**/.env": "deny" } } } } }
            """);
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new("web_echo", """{"message":"app/config/.env"}"""), new("web_echo", """{"message":"notes.txt"}""")),
            FakeReply.Text("one of two"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "write both" }));

        var calls = reply["toolCalls"]!.AsArray();
        Assert.Equal("rejected", (string?)calls[0]!["status"]);
        Assert.Contains("Refused", (string?)calls[0]!["result"]);
        Assert.Equal("completed", (string?)calls[1]!["status"]);
        Assert.Equal("notes.txt", (string?)calls[1]!["result"]);
        var requests = fixture.Model.Requests.Where(r => r.Model == model).ToList();
        Assert.Contains("web_echo", requests[0].ToolNames);
        var results = requests[1].Messages.Where(m => m.Role == "tool").ToList();
        Assert.Contains("rejected", results[0].Content, StringComparison.Ordinal);
        Assert.DoesNotContain("app/config/.env", results[0].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conversation_permissions_take_precedence_over_the_agents_in_that_conversation_only()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{WebServer()}} ] }, "permissions": { "web_*": "allow", "web_add": "deny" } }
            """);
        var conversation = await fixture.CreateConversationAsync(agent);
        var other = await fixture.CreateConversationAsync(agent);

        var patched = await Client.PatchAsync($"/conversations/{conversation}", Json("""{ "permissions": { "web_add": "allow", "web_echo": "deny" } }"""));

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("deny", (string?)(await ReadAsync(patched))["permissions"]!["web_echo"]);
        Assert.Equal("allow", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["permissions"]!["web_add"]);

        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":20,"b":22}"""), FakeReply.Text("sum done"));
        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" }));
        Assert.Equal("completed", (string?)reply["toolCalls"]![0]!["status"]);
        Assert.Equal("42", (string?)reply["toolCalls"]![0]!["result"]);
        var offered = fixture.Model.Requests.First(r => r.Model == model).ToolNames;
        Assert.Contains("web_add", offered);
        Assert.DoesNotContain("web_echo", offered);

        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":1,"b":1}"""), FakeReply.Text("refused there"));
        var elsewhere = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{other}/messages", new { message = "add" }));
        Assert.Equal("rejected", (string?)elsewhere["toolCalls"]![0]!["status"]);

        var cleared = await ReadAsync(await Client.PatchAsync($"/conversations/{conversation}", Json("""{ "permissions": {} }""")));
        Assert.Null(cleared["permissions"]);
    }

    [Fact]
    public async Task Patching_an_unknown_conversation_is_not_found()
    {
        var missing = "conv-" + Guid.NewGuid().ToString("N");

        var response = await Client.PatchAsync($"/conversations/{missing}", Json("""{ "permissions": { "x": "deny" } }"""));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "conversation_not_found");
    }

    public static TheoryData<string, string> BadPermissions => new()
    {
        { """{ "test_*": "sometimes" }""", "permissions.test_*" },
        { """{ "t": 5 }""", "permissions.t" },
        { """{ "t": null }""", "permissions.t" },
        { """{ "t": { "permission": "allow", "args": {} } }""", "permissions.t" },
        { """{ "t": { "arguments": { "path": { "x": "deny" } } } }""", "permissions.t.permission" },
        { """{ "t": { "permission": "allow", "arguments": { "path": { "**": "maybe" } } } }""", "permissions.t.arguments.path.**" },
        { """{ "t": { "permission": "allow", "arguments": { "path": {} } } }""", "permissions.t.arguments.path" },
        { """{ "t": { "permission": "allow", "arguments": { "path": "deny" } } }""", "permissions.t" },
    };

    [Theory]
    [MemberData(nameof(BadPermissions))]
    public async Task Bad_permissions_are_validation_failures_naming_the_field_for_conversations_and_agents(string permissions, string field)
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var patched = await Client.PatchAsync($"/conversations/{conversation}", Json($$"""{ "permissions": {{permissions}} }"""));
        var created = await Client.PostAsync("/agents", Json($$"""
            { "name": "x", "model": { "provider": "openai", "name": "m" }, "permissions": {{permissions}} }
            """));

        foreach (var response in new[] { patched, created })
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
            var fields = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
            Assert.True(fields.Any(f => f.StartsWith(field, StringComparison.Ordinal)), $"{field} not in {problem.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Only_permissions_can_be_patched()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PatchAsync($"/conversations/{conversation}", Json("""{ "status": "idle" }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["status"]);
    }

    [Fact]
    public async Task The_object_form_is_kept_and_answered_as_given_and_the_string_form_stays_a_string()
    {
        var (agent, _) = await fixture.CreateAgentAsync("""
            { "permissions": { "fs_*": "ask", "fs_write_file": { "permission": "allow", "arguments": { "path": { "**/.env": "deny" } } } } }
            """);

        var config = (await ReadAsync(await Client.GetAsync($"/agents/{agent}")))["config"]!;

        Assert.Equal("ask", (string?)config["permissions"]!["fs_*"]);
        Assert.Equal("allow", (string?)config["permissions"]!["fs_write_file"]!["permission"]);
        Assert.Equal("deny", (string?)config["permissions"]!["fs_write_file"]!["arguments"]!["path"]!["**/.env"]);
    }

    private string WebServer() => new JsonObject { ["name"] = "web", ["url"] = fixture.Mcp.StreamableHttpUrl.ToString() }.ToJsonString();
}
