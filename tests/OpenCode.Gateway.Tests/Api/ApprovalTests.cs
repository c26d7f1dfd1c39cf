using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>An <c>ask</c> tool call pauses the turn until someone answers it; the turn then goes on to its reply.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ApprovalTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_ask_call_pauses_the_turn_and_approving_it_once_runs_it_and_finishes_the_turn()
    {
        var (conversation, model) = await StartAsync("""{ "web_add": "ask" }""");
        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":2,"b":3}"""), FakeReply.Text("it is five"));

        var paused = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add 2 and 3" });

        Assert.Equal(HttpStatusCode.Accepted, paused.StatusCode);
        Assert.Equal($"/conversations/{conversation}/approvals", paused.Headers.Location?.OriginalString);
        var waiting = await ReadAsync(paused);
        Assert.Equal("waiting_approval", (string?)waiting["status"]);
        var approval = waiting["approvals"]!.AsArray().Single()!;
        Assert.Equal("web_add", (string?)approval["name"]);
        Assert.Equal(3, (int?)approval["arguments"]!["b"]);
        Assert.Equal((string?)waiting["turnId"], (string?)approval["turnId"]);
        Assert.NotNull(approval["requestedAt"]);
        Assert.Null(approval["expiresAt"]);
        var approvalId = (string)approval["approvalId"]!;

        Assert.Equal("waiting_approval", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["status"]);
        var listed = (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/approvals")))["approvals"]!.AsArray();
        Assert.Equal(approvalId, (string?)listed.Single()!["approvalId"]);
        var step = (await History(conversation))[^1]!;
        Assert.Equal("waiting_approval", (string?)step["toolCalls"]![0]!["status"]);
        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "hello?" }), HttpStatusCode.Conflict, "conversation_busy");
        Assert.Single(fixture.Model.Requests, r => r.Model == model);

        var answered = await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvalId}", new { decision = "once" });

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var reply = await ReadAsync(answered);
        Assert.Equal("it is five", (string?)reply["content"]);
        Assert.Equal("completed", (string?)reply["toolCalls"]![0]!["status"]);
        Assert.Equal("5", (string?)reply["toolCalls"]![0]!["result"]);
        var history = await History(conversation);
        Assert.Equal(["add 2 and 3", "", "it is five"], history.Select(m => (string?)m!["content"]));
        Assert.Equal("completed", (string?)history[1]!["toolCalls"]![0]!["status"]);
        Assert.Equal("idle", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["status"]);
        Assert.Empty((await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/approvals")))["approvals"]!.AsArray());

        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvalId}", new { decision = "once" }),
            HttpStatusCode.Conflict, "approval_already_answered");
        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/appr-unknown", new { decision = "once" }),
            HttpStatusCode.NotFound, "approval_not_found");
    }

    [Fact]
    public async Task Rejecting_gives_the_model_a_rejection_result_and_the_turn_goes_on()
    {
        var (agent, model) = await CreateAgentAsync("""{ "web_*": "ask" }""");
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"secret"}"""), FakeReply.Text("understood, not sent"));

        // A conversation's first message can pause too.
        var created = await ReadAsync(await Client.PostAsJsonAsync("/conversations", new { agentId = agent, message = "send it" }));
        Assert.Equal("waiting_approval", (string?)created["status"]);
        var conversation = (string)created["id"]!;
        var approvalId = (string)created["approvals"]![0]!["approvalId"]!;

        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvalId}", new { decision = "maybe" }),
            HttpStatusCode.BadRequest, "validation_failed");
        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvalId}", new { decision = "reject" }));

        Assert.Equal("understood, not sent", (string?)reply["content"]);
        Assert.Equal("rejected", (string?)reply["toolCalls"]![0]!["status"]);
        var toolResult = fixture.Model.Requests.Last(r => r.Model == model).Messages.Last(m => m.Role == "tool");
        Assert.Contains("rejected", toolResult.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", toolResult.Content, StringComparison.Ordinal);
        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvalId}", new { decision = "once" }),
            HttpStatusCode.Conflict, "approval_already_answered");
    }

    [Fact]
    public async Task Always_runs_the_call_and_later_calls_of_that_tool_in_that_conversation_are_not_asked_for()
    {
        var (agent, model) = await CreateAgentAsync("""{ "web_*": "ask" }""");
        var conversation = await fixture.CreateConversationAsync(agent);
        var other = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"one"}"""), FakeReply.Text("first"));
        var paused = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "1" }));

        var first = await Client.PostAsJsonAsync(
            $"/conversations/{conversation}/approvals/{paused["approvals"]![0]!["approvalId"]}", new { decision = "always" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(["web_echo"], (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["alwaysAllowedTools"]!.AsArray().Select(t => (string?)t));
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"two"}"""), FakeReply.Text("second"));
        var second = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "2" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("two", (string?)(await ReadAsync(second))["toolCalls"]![0]!["result"]);

        // Another tool of the same server, and the same tool in another conversation, are still asked for.
        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":1,"b":1}"""));
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "3" })).StatusCode);
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"elsewhere"}"""));
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsJsonAsync($"/conversations/{other}/messages", new { message = "4" })).StatusCode);
    }

    [Fact]
    public async Task Several_ask_calls_of_one_step_are_asked_together_and_the_turn_goes_on_once_all_are_answered()
    {
        var (conversation, model) = await StartAsync("""{ "web_add": "ask", "web_echo": "ask" }""");
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new("web_add", """{"a":1,"b":2}"""), new("web_echo", """{"message":"hi"}"""), new("web_fail", "{}")),
            FakeReply.Text("both answered"));

        var waiting = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "do three things" }));

        var approvals = waiting["approvals"]!.AsArray();
        Assert.Equal(["web_add", "web_echo"], approvals.Select(a => (string?)a!["name"]));
        // The allowed call of the step ran while the others wait.
        Assert.Equal("failed", (string?)(await History(conversation))[^1]!["toolCalls"]![2]!["status"]);

        var stillWaiting = await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvals[0]!["approvalId"]}", new { decision = "once" });
        Assert.Equal(HttpStatusCode.Accepted, stillWaiting.StatusCode);
        Assert.Equal([(string?)approvals[1]!["approvalId"]], (await ReadAsync(stillWaiting))["approvals"]!.AsArray().Select(a => (string?)a!["approvalId"]));
        Assert.Equal("completed", (string?)(await History(conversation))[^1]!["toolCalls"]![0]!["status"]);

        var done = await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approvals[1]!["approvalId"]}", new { decision = "reject" });

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var reply = await ReadAsync(done);
        Assert.Equal("both answered", (string?)reply["content"]);
        Assert.Equal(["completed", "rejected", "failed"], reply["toolCalls"]!.AsArray().Select(c => (string?)c!["status"]));
        Assert.Equal(2, fixture.Model.Requests.Count(r => r.Model == model));
    }

    [Fact]
    public async Task An_unanswered_approval_expires_into_a_rejection_and_the_turn_finishes_by_itself()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{WebServer()}} ] }, "permissions": { "web_add": "ask" }, "limits": { "approvalTimeoutSeconds": 1 } }
            """);
        var conversation = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.ToolCall("web_add", """{"a":1,"b":1}"""), FakeReply.Text("nobody answered"));

        var waiting = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" }));
        var approval = waiting["approvals"]![0]!;
        Assert.NotNull(approval["expiresAt"]);

        // Nobody asks the conversation anything meanwhile: the grain's timer moves the turn on.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var history = await WaitForAsync(conversation, h => (string?)h[^1]!["content"] == "nobody answered");

        var call = history[^2]!["toolCalls"]![0]!;
        Assert.Equal("rejected", (string?)call["status"]);
        Assert.Contains("expired", (string?)call["result"]);
        Assert.Equal("idle", (string?)(await ReadAsync(await Client.GetAsync($"/conversations/{conversation}")))["status"]);
        var late = await Client.PostAsJsonAsync($"/conversations/{conversation}/approvals/{approval["approvalId"]}", new { decision = "once" });
        var problem = await AssertProblemAsync(late, HttpStatusCode.Conflict, "approval_already_answered");
        Assert.Contains("expired", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Approvals_of_an_unknown_conversation_are_not_found()
    {
        var missing = "conv-" + Guid.NewGuid().ToString("N");

        await AssertProblemAsync(await Client.GetAsync($"/conversations/{missing}/approvals"), HttpStatusCode.NotFound, "conversation_not_found");
        await AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{missing}/approvals/appr-x", new { decision = "once" }), HttpStatusCode.NotFound, "conversation_not_found");
    }

    private async Task<(string AgentId, string Model)> CreateAgentAsync(string permissions) =>
        await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ {{WebServer()}} ] }, "permissions": {{permissions}} }""");

    private async Task<(string Conversation, string Model)> StartAsync(string permissions)
    {
        var (agent, model) = await CreateAgentAsync(permissions);
        return (await fixture.CreateConversationAsync(agent), model);
    }

    private async Task<JsonArray> History(string conversation) =>
        (await ReadAsync(await Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();

    private async Task<JsonArray> WaitForAsync(string conversation, Func<JsonArray, bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            var history = await History(conversation);
            if (condition(history))
            {
                return history;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the history never reached the expected state");
        return null!;
    }

    private string WebServer() => new JsonObject { ["name"] = "web", ["url"] = fixture.Mcp.StreamableHttpUrl.ToString() }.ToJsonString();
}
