using System.Net;
using System.Net.Http.Json;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

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

    [Theory]
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
