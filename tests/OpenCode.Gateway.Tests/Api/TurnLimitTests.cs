using System.Net;
using System.Net.Http.Json;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;
using static OpenCode.Gateway.Tests.Streaming.EventStreams;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>Every per-turn limit ends the turn with <c>limit_exceeded</c>, naming the limit and what was reached.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TurnLimitTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task The_step_limit_ends_a_turn_that_keeps_calling_tools()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] }, "limits": { "maxSteps": 2 } }
            """);
        var echo = FakeReply.ToolCall("web_echo", """{"message":"again"}""");
        fixture.Model.Script(model, echo, echo, echo);
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "loop" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        Assert.Equal("maxSteps", (string?)problem["limit"]);
        Assert.Equal(2, (int?)problem["reached"]);
        Assert.Equal(2, fixture.Model.Requests.Count(r => r.Model == model));
    }

    [Fact]
    public async Task The_tool_call_limit_ends_the_turn_and_the_calls_over_it_are_not_run()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] }, "limits": { "maxToolCallsPerTurn": 2 } }
            """);
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new("web_echo", """{"message":"1"}"""), new("web_echo", """{"message":"2"}"""), new("web_echo", """{"message":"3"}""")),
            FakeReply.Text("never asked"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "three calls" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        Assert.Equal("maxToolCallsPerTurn", (string?)problem["limit"]);
        Assert.Equal(3, (int?)problem["reached"]);
        var step = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray()[^1]!;
        Assert.Equal(["completed", "completed", "rejected"], step["toolCalls"]!.AsArray().Select(c => (string?)c!["status"]));
        Assert.Single(fixture.Model.Requests, r => r.Model == model);
        Assert.Equal("idle", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["status"]);
    }

    [Fact]
    public async Task The_token_budget_ends_the_turn_once_the_model_reports_more_tokens_than_it_allows()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] }, "limits": { "maxTokensPerTurn": 5 } }
            """);
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"costly"}"""), FakeReply.Text("never asked"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "spend tokens" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        Assert.Equal("maxTokensPerTurn", (string?)problem["limit"]);
        Assert.True((int?)problem["reached"] > 5, problem.ToJsonString());
        var step = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray()[^1]!;
        Assert.Equal("rejected", (string?)step["toolCalls"]![0]!["status"]);
        Assert.Single(fixture.Model.Requests, r => r.Model == model);
    }

    [Fact]
    public async Task A_tool_result_over_the_limit_is_cut_before_it_is_recorded_streamed_or_sent_to_the_model()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] }, "limits": { "maxToolResultChars": 1000 } }
            """);
        var big = "BEGIN" + new string('x', 5_000) + "END";
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", $$"""{"message":"{{big}}"}"""), FakeReply.Text("read it"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "echo something long" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var step = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray()[^2]!;
        var recorded = (string)step["toolCalls"]![0]!["result"]!;
        Assert.True(recorded.Length <= 1000, $"{recorded.Length} characters recorded");
        Assert.StartsWith("BEGIN", recorded);
        Assert.EndsWith("END", recorded);
        Assert.Contains("characters of this tool result were left out: the agent keeps 1,000 (limits.maxToolResultChars)", recorded);
        using (var stream = await GetEventsAsync(Client, conversation, "?after=0"))
        {
            using var reader = await ReaderAsync(stream);
            var completed = (await ReadUntilAsync(reader, IsTerminal)).Single(e => e.Type == "tool.call.completed");
            Assert.Equal(recorded, (string?)Data(completed)["result"]);
        }

        var second = fixture.Model.Requests.Where(r => r.Model == model).Last();
        Assert.Equal(recorded, second.Messages.Single(m => m.Role == "tool").Content);
    }

    [Theory]
    [InlineData("""{ "maxToolResultChars": 999 }""", "limits.maxToolResultChars")]
    [InlineData("""{ "maxToolResultChars": 1000001 }""", "limits.maxToolResultChars")]
    [InlineData("""{ "maxTokensPerTurn": 0 }""", "limits.maxTokensPerTurn")]
    [InlineData("""{ "approvalTimeoutSeconds": 0 }""", "limits.approvalTimeoutSeconds")]
    [InlineData("""{ "approvalTimeoutSeconds": 99999999 }""", "limits.approvalTimeoutSeconds")]
    public async Task New_limits_are_validated(string limits, string field)
    {
        var response = await Client.PostAsync("/agents", Json($$"""
            { "name": "x", "model": { "provider": "openai", "name": "m" }, "limits": {{limits}} }
            """));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]![field]);
    }
}
