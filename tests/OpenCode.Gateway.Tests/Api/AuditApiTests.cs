using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// <c>GET /admin/audit</c>: what callers changed (agents, approval answers, over HTTP and WebSocket) and every tool call
/// of a turn are in the audit log, newest first, filtered and paged; tool payloads only when configured.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AuditApiTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Creating_updating_and_deleting_an_agent_each_leave_a_record_of_the_caller()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        var updated = await Client.PutAsJsonAsync($"/agents/{agent}", JsonNode.Parse($$"""
            { "name": "Renamed", "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{fixture.Model.BaseUrl}}" } }
            """));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/agents/{agent}")).StatusCode);
        // A delete of nothing changed nothing: no record.
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync($"/agents/{agent}")).StatusCode);

        var records = (await EntriesAsync("?limit=20")).Where(e => (string?)e["resourceId"] == agent).ToList();

        Assert.Equal(["agent.deleted", "agent.updated", "agent.created"], records.Select(e => (string?)e["action"]));
        Assert.All(records, e =>
        {
            Assert.Equal("local", (string?)e["actor"]);
            Assert.Equal("local", (string?)e["tenant"]);
            Assert.Equal("agent", (string?)e["resourceType"]);
            Assert.Equal("succeeded", (string?)e["outcome"]);
        });
        Assert.Equal(2, (int?)records[1]["detail"]!["version"]);
        Assert.Equal(1, (int?)records[2]["detail"]!["version"]);
        Assert.True((long)records[0]["id"]! > (long)records[2]["id"]!);
    }

    [Fact]
    public async Task An_agent_created_over_the_websocket_is_recorded_too()
    {
        var id = "ws-audited-" + Guid.NewGuid().ToString("N")[..8];
        await using var ws = await WebSocketJsonClient.ConnectAsync(fixture.Gateway.BaseUrl);

        var response = await ws.RequestAsync("agents.create", JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Over the socket", "model": { "provider": "openai", "name": "m", "endpoint": "{{fixture.Model.BaseUrl}}" } }
            """));

        Assert.Null(response["error"]);
        var record = Assert.Single(await EntriesAsync("?action=agent.created&limit=10"), e => (string?)e["resourceId"] == id);
        Assert.Equal("local", (string?)record["actor"]);
    }

    [Fact]
    public async Task A_turn_s_tool_calls_are_recorded_with_their_outcome_and_duration_and_without_their_payload()
    {
        var (agent, model) = await CreateWebAgentAsync("""{ "web_add": "allow", "web_fail": "allow", "web_echo": "deny" }""");
        var conversation = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new("web_add", """{"a":2,"b":3}"""), new("web_fail", "{}"), new("web_echo", """{"message":"secret"}""")),
            FakeReply.Text("done"));

        var reply = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" });
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var turnId = (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]![1]!["turnId"];

        var calls = (await EntriesAsync("?action=tool.called&limit=10")).Where(e => (string?)e["conversationId"] == conversation).ToList();

        Assert.Equal(["web_echo", "web_fail", "web_add"], calls.Select(e => (string?)e["resourceId"]));
        Assert.Equal(["rejected", "failed", "completed"], calls.Select(e => (string?)e["outcome"]));
        Assert.All(calls, e =>
        {
            Assert.Equal("local", (string?)e["actor"]);
            Assert.Equal("tool", (string?)e["resourceType"]);
            Assert.True((long?)e["durationMs"] >= 0);
            Assert.Equal(turnId, (string?)e["detail"]!["turnId"]);
            Assert.False(string.IsNullOrEmpty((string?)e["detail"]!["callId"]));
            Assert.Null(e["detail"]!["arguments"]);
            Assert.Null(e["detail"]!["result"]);
        });
        Assert.DoesNotContain("secret", (await Client.GetStringAsync("/admin/audit?limit=20")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approval_answers_over_http_and_websocket_are_recorded_before_the_calls_they_let_run()
    {
        var (agent, model) = await CreateWebAgentAsync("""{ "web_*": "ask" }""");
        var conversation = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":1,"b":1}"""), FakeReply.Text("two"));
        var paused = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "1+1" }));
        var approved = (string)paused["approvals"]![0]!["approvalId"]!;
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approved}", new { decision = "once" })).StatusCode);

        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"no"}"""), FakeReply.Text("not sent"));
        var pausedAgain = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "send" }));
        var rejected = (string)pausedAgain["approvals"]![0]!["approvalId"]!;
        await using (var ws = await WebSocketJsonClient.ConnectAsync(fixture.Gateway.BaseUrl))
        {
            var answer = await ws.RequestAsync("approvals.reply", new { conversationId = conversation, approvalId = rejected, decision = "reject" });
            Assert.Null(answer["error"]);
        }

        var records = (await EntriesAsync("?limit=20")).Where(e => (string?)e["conversationId"] == conversation).ToList();

        Assert.Equal(
            ["tool.called", "tool.rejected", "tool.called", "tool.approved"],
            records.Select(e => (string?)e["action"]));
        Assert.Equal(["web_echo", rejected, "web_add", approved], records.Select(e => (string?)e["resourceId"]));
        Assert.Equal(["rejected", "succeeded", "completed", "succeeded"], records.Select(e => (string?)e["outcome"]));
        Assert.Equal("approval", (string?)records[1]["resourceType"]);
        Assert.Equal("reject", (string?)records[1]["detail"]!["decision"]);
        Assert.Equal("once", (string?)records[3]["detail"]!["decision"]);
        Assert.All(records, e => Assert.Equal("local", (string?)e["actor"]));
    }

    [Fact]
    public async Task Actor_action_and_time_filters_narrow_the_records_and_pages_follow_by_cursor()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var agents = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            agents.Add((await fixture.CreateAgentAsync()).AgentId);
        }

        var window = $"from={Time(before)}&to={Time(DateTimeOffset.UtcNow.AddSeconds(1))}";

        Assert.Empty(await EntriesAsync($"?actor=nobody&{window}"));
        Assert.Empty(await EntriesAsync($"?action=agent.created&from={Time(DateTimeOffset.UtcNow.AddMinutes(1))}"));
        Assert.DoesNotContain(
            await EntriesAsync($"?action=agent.created&to={Time(before)}&limit=500"), e => agents.Contains((string)e["resourceId"]!));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ReadAsync(await Client.GetAsync($"/admin/audit?action=agent.created&actor=local&{window}&limit=1" + (cursor is null ? "" : $"&cursor={cursor}")));
            var entries = page["entries"]!.AsArray();
            Assert.True(entries.Count <= 1);
            seen.AddRange(entries.Select(e => (string)e!["resourceId"]!));
            Assert.All(entries, e => Assert.Equal("agent.created", (string?)e!["action"]));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);

        Assert.Equal(agents.AsEnumerable().Reverse(), seen.Where(agents.Contains));
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2025-13-45", "to")]
    [InlineData("from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "to")]
    [InlineData("action=agent.renamed", "action")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_query_is_a_validation_problem_naming_the_field(string query, string field)
    {
        var problem = await AssertProblemAsync(await Client.GetAsync($"/admin/audit?{query}"), HttpStatusCode.BadRequest, "validation_failed");

        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task With_payloads_configured_a_tool_call_s_record_holds_its_arguments_and_result_with_secrets_and_personal_data_masked()
    {
        await using var gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?> { ["Audit__IncludePayloads"] = "true" });
        var agent = "payload-agent";
        var model = "model-payload-" + Guid.NewGuid().ToString("N")[..8];
        var created = await gateway.Client.PostAsJsonAsync("/agents", JsonNode.Parse($$"""
            { "id": "{{agent}}", "name": "Payloads", "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{fixture.Model.BaseUrl}}" },
              "mcp": { "servers": [ {{WebServer()}} ] } }
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversation = (string)(await ReadAsync(await gateway.Client.PostAsJsonAsync("/conversations", new { agentId = agent })))["id"]!;
        // A key and an e-mail address pasted into a tool argument; the echo tool hands them back as its result.
        var pasted = "sk-pasted" + Guid.NewGuid().ToString("N");
        var echoed = new JsonObject { ["message"] = $"key {pasted} for jane@example.com" }.ToJsonString();
        fixture.Model.Script(model, FakeReply.ToolCalls(new FakeToolCall("web_add", """{"a":20,"b":22}"""), new FakeToolCall("web_echo", echoed)), FakeReply.Text("42"));

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" })).StatusCode);

        var answer = await gateway.Client.GetStringAsync("/admin/audit?action=tool.called");
        var calls = JsonNode.Parse(answer)!["entries"]!.AsArray().ToDictionary(e => (string)e!["resourceId"]!, e => e!);
        var add = calls["web_add"];
        Assert.Equal(conversation, (string?)add["conversationId"]);
        Assert.Equal(22, (int?)add["detail"]!["arguments"]!["b"]);
        Assert.Equal("42", (string?)add["detail"]!["result"]);
        var echo = calls["web_echo"]["detail"]!;
        Assert.Equal("key [secret] for [email]", (string?)echo["arguments"]!["message"]);
        Assert.Equal("key [secret] for [email]", (string?)echo["result"]);
        Assert.DoesNotContain(pasted, answer, StringComparison.Ordinal);
        Assert.DoesNotContain("jane@example.com", answer, StringComparison.Ordinal);
    }

    private async Task<List<JsonObject>> EntriesAsync(string query)
    {
        var response = await Client.GetAsync("/admin/audit" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var page = await ReadAsync(response);
        Assert.True(page.ContainsKey("next"));
        return [.. page["entries"]!.AsArray().Select(e => e!.AsObject())];
    }

    private static string Time(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O"));

    private async Task<(string AgentId, string Model)> CreateWebAgentAsync(string permissions) =>
        await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ {{WebServer()}} ] }, "permissions": {{permissions}} }""");

    private string WebServer() => new JsonObject { ["name"] = "web", ["url"] = fixture.Mcp.StreamableHttpUrl.ToString() }.ToJsonString();
}
