using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// End to end through a gateway process: an agent referencing <c>{"name": "workspace"}</c> gets the built-in
/// workspace tools, reached through the connection grain like any MCP server, working on real files.
/// </summary>
public sealed class WorkspaceToolTests(WorkspaceGatewayFixture fixture) : IClassFixture<WorkspaceGatewayFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task The_model_reads_a_workspace_file_and_the_reply_and_the_history_carry_its_content()
    {
        var content = $"The plan: {Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(fixture.Root, "notes"));
        await File.WriteAllTextAsync(Path.Combine(fixture.Root, "notes", "plan.md"), content);
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.ToolCall("workspace_read_file", """{"path":"notes/plan.md"}"""), FakeReply.Text("read it"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await SendAsync(conversation, "what is the plan?");

        Assert.Equal("read it", (string?)reply["content"]);
        var call = reply["toolCalls"]!.AsArray().Single()!;
        Assert.Equal(("workspace_read_file", "completed", content), ((string?)call["name"], (string?)call["status"], (string?)call["result"]));
        var requests = fixture.Model.Requests.Where(r => r.Model == model).ToList();
        Assert.Contains("workspace_read_file", requests[0].ToolNames);
        Assert.Contains(requests[1].Messages, m => m.Role == "tool" && m.Content == content);
        var history = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();
        Assert.Equal(content, (string?)history[1]!["toolCalls"]![0]!["result"]);
    }

    [Fact]
    public async Task The_model_writes_a_file_that_lands_on_disk_and_reads_it_back()
    {
        var content = $"written by the model {Guid.NewGuid():N}";
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(
            model,
            FakeReply.ToolCall("workspace_write_file", new JsonObject { ["path"] = "out/result.txt", ["content"] = content }.ToJsonString()),
            FakeReply.ToolCall("workspace_read_file", """{"path":"out/result.txt"}"""),
            FakeReply.Text("saved"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await SendAsync(conversation, "save it");

        var calls = reply["toolCalls"]!.AsArray();
        Assert.Equal("completed", (string?)calls[0]!["status"]);
        Assert.Equal($"Wrote {content.Length} bytes to out/result.txt.", (string?)calls[0]!["result"]);
        Assert.Equal(content, (string?)calls[1]!["result"]);
        Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(fixture.Root, "out", "result.txt")));
    }

    [Fact]
    public async Task A_path_escape_is_a_failed_tool_call_and_the_turn_goes_on()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.ToolCall("workspace_read_file", """{"path":"../../../../etc/passwd"}"""), FakeReply.Text("not allowed, fine"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await SendAsync(conversation, "read the password file");

        Assert.Equal("not allowed, fine", (string?)reply["content"]);
        var call = reply["toolCalls"]!.AsArray().Single()!;
        Assert.Equal("failed", (string?)call["status"]);
        Assert.Contains("The path '../../../../etc/passwd' is outside the workspace", (string?)call["result"]);
        Assert.DoesNotContain("root:", (string?)call["result"]);
    }

    [Fact]
    public async Task The_agent_tools_endpoint_lists_the_workspace_tools_and_run_command_asks_by_default()
    {
        var (byDefault, _) = await fixture.CreateAgentAsync();
        var (allowAll, _) = await fixture.CreateAgentAsync("""{ "*": "allow" }""");
        var (named, _) = await fixture.CreateAgentAsync("""{ "workspace_run_command": "allow" }""");

        var tools = await PermissionsAsync(byDefault);

        Assert.Equal(["workspace_list_directory", "workspace_read_file", "workspace_run_command", "workspace_search_files", "workspace_write_file"], tools.Keys.Order());
        Assert.Equal("allow", tools["workspace_read_file"]);
        Assert.Equal("ask", tools["workspace_run_command"]);
        Assert.Equal("ask", (await PermissionsAsync(allowAll))["workspace_run_command"]);
        Assert.Equal("allow", (await PermissionsAsync(named))["workspace_run_command"]);
    }

    [Fact]
    public async Task Run_command_waits_for_an_approval_by_default_and_runs_in_the_workspace_when_the_agent_names_it()
    {
        var (asking, askingModel) = await fixture.CreateAgentAsync();
        var (named, namedModel) = await fixture.CreateAgentAsync("""{ "workspace_run_command": "allow" }""");
        var command = """{"command":"sh","args":["-c","pwd; echo ran"]}""";
        fixture.Model.Script(askingModel, FakeReply.ToolCall("workspace_run_command", command), FakeReply.Text("refused"));
        fixture.Model.Script(namedModel, FakeReply.ToolCall("workspace_run_command", command), FakeReply.Text("ran it"));

        var askingConversation = await fixture.CreateConversationAsync(asking);
        var paused = await Client.PostAsJsonAsync($"/conversations/{askingConversation}/messages", new { message = "run" });
        var pausedBody = await paused.Content.ReadAsStringAsync();
        Assert.True(paused.StatusCode == HttpStatusCode.Accepted, pausedBody);
        var approval = JsonNode.Parse(pausedBody)!["approvals"]![0]!;
        Assert.Equal("workspace_run_command", (string?)approval["name"]);
        var refused = await ReadAsync(await Client.PostAsJsonAsync(
            $"/conversations/{askingConversation}/approvals/{(string)approval["approvalId"]!}", new { decision = "reject" }));
        var ran = await SendAsync(await fixture.CreateConversationAsync(named), "run");

        Assert.Equal("rejected", (string?)refused["toolCalls"]![0]!["status"]);
        Assert.DoesNotContain(fixture.Root, (string?)refused["toolCalls"]![0]!["result"]);
        Assert.Contains("workspace_run_command", fixture.Model.Requests.First(r => r.Model == namedModel).ToolNames);
        var result = (string?)ran["toolCalls"]![0]!["result"];
        Assert.Equal("completed", (string?)ran["toolCalls"]![0]!["status"]);
        Assert.StartsWith("Exit code 0", result);
        Assert.Contains($"--- stdout ---\n{fixture.Root}\nran\n", result);
    }

    private async Task<JsonObject> SendAsync(string conversation, string message)
    {
        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<Dictionary<string, string>> PermissionsAsync(string agent)
    {
        var tools = await ReadAsync(await Client.GetAsync($"/agents/{agent}/tools"));
        Assert.Empty(tools["errors"]!.AsArray());
        return tools["tools"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => (string)t!["permission"]!);
    }
}
