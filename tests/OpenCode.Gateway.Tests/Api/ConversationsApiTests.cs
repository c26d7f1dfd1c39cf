using System.Net;
using System.Net.Http.Json;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class ConversationsApiTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Creating_with_a_first_message_returns_it_and_the_reply()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text("Hi! How can I help?"));

        var response = await Client.PostAsJsonAsync("/conversations", new { agentId = agent, message = "hello", metadata = new { source = "test" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var conversation = await ReadAsync(response);
        Assert.StartsWith("conv-", (string?)conversation["id"]);
        Assert.Equal(agent, (string?)conversation["agentId"]);
        Assert.Equal(1, (int?)conversation["agentVersion"]);
        Assert.Equal("idle", (string?)conversation["status"]);
        Assert.Equal("test", (string?)conversation["metadata"]!["source"]);
        var messages = conversation["messages"]!.AsArray();
        Assert.Equal(["user", "assistant"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("hello", (string?)messages[0]!["content"]);
        Assert.Equal("Hi! How can I help?", (string?)messages[1]!["content"]);
        Assert.True((int?)messages[1]!["usage"]!["completionTokens"] > 0);
    }

    [Fact]
    public async Task A_message_gets_the_reply_and_everything_is_in_the_history()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        var id = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.Text("first answer"), FakeReply.Text("second answer"));

        var first = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "one" }));
        var second = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "two" }));

        Assert.Equal("first answer", (string?)first["content"]);
        Assert.Equal("assistant", (string?)second["role"]);
        Assert.Equal("second answer", (string?)second["content"]);
        var history = await ReadAsync(await Client.GetAsync($"/conversations/{id}/messages"));
        Assert.Equal(["one", "first answer", "two", "second answer"], history["messages"]!.AsArray().Select(m => (string?)m!["content"]));
        Assert.Null(history["next"]);
        var info = await ReadAsync(await Client.GetAsync($"/conversations/{id}"));
        Assert.Equal(4, (int?)info["messageCount"]);
        Assert.True((int?)info["usage"]!["promptTokens"] > 0);
        // The second request carried the first exchange: the context window holds the history.
        var request = fixture.Model.Requests.Last(r => r.Model == model);
        Assert.Equal(["system", "user", "assistant", "user"], request.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task The_whole_history_is_reachable_page_by_page()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var id = await fixture.CreateConversationAsync(agent);
        const int turns = 45; // 90 messages: more than two history pages of 32
        for (var i = 0; i < turns; i++)
        {
            var reply = await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = $"m{i}" });
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ReadAsync(await Client.GetAsync($"/conversations/{id}/messages?limit=20" + (cursor is null ? "" : $"&before={cursor}")));
            seen.InsertRange(0, page["messages"]!.AsArray().Select(m => (string)m!["content"]!));
            cursor = (string?)page["next"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, turns).SelectMany(i => new[] { $"m{i}", $"echo: m{i}" }), seen);
    }

    [Fact]
    public async Task The_default_agent_is_used_when_agentId_is_omitted()
    {
        var response = await Client.PostAsJsonAsync("/conversations", new { message = "who are you?" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var conversation = await ReadAsync(response);
        Assert.Equal(GatewayFixture.DefaultAgentId, (string?)conversation["agentId"]);
        Assert.Equal("echo: who are you?", (string?)conversation["messages"]![1]!["content"]);
    }

    [Fact]
    public async Task Conversations_are_listed_newest_first_and_can_be_deleted()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var older = await fixture.CreateConversationAsync(agent);
        var newer = await fixture.CreateConversationAsync(agent);

        var list = await ReadAsync(await Client.GetAsync("/conversations?limit=2"));
        Assert.Equal([newer, older], list["conversations"]!.AsArray().Select(c => (string?)c!["id"]));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/conversations/{older}")).StatusCode);
        await AssertProblemAsync(await Client.GetAsync($"/conversations/{older}"), HttpStatusCode.NotFound, "conversation_not_found");
        var after = await ReadAsync(await Client.GetAsync("/conversations?limit=200"));
        Assert.DoesNotContain(after["conversations"]!.AsArray(), c => (string?)c!["id"] == older);
    }

    [Fact]
    public async Task A_model_error_fails_the_turn_and_the_conversation_stays_usable()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        var id = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.Error(400, "context too long for this fake"), FakeReply.Text("recovered"));

        var failed = await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "break" });

        var problem = await AssertProblemAsync(failed, HttpStatusCode.BadGateway, "model_error");
        Assert.Contains("context too long for this fake", (string?)problem["detail"]);
        Assert.Equal(id, (string?)problem["conversationId"]);
        var next = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "again" }));
        Assert.Equal("recovered", (string?)next["content"]);
    }

    [Fact]
    public async Task An_unreachable_model_is_model_unavailable()
    {
        var port = LoopbackPort.Next();
        var (agent, _) = await fixture.CreateAgentAsync($$"""{ "model": { "provider": "openai", "name": "m", "endpoint": "http://127.0.0.1:{{port}}/v1" } }""");
        var id = await fixture.CreateConversationAsync(agent);

        var failed = await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "anyone there?" });

        await AssertProblemAsync(failed, HttpStatusCode.BadGateway, "model_unavailable");
        var info = await ReadAsync(await Client.GetAsync($"/conversations/{id}"));
        Assert.Equal("idle", (string?)info["status"]);
        Assert.Equal(1, (int?)info["messageCount"]);
    }

    [Fact]
    public async Task A_message_while_a_turn_runs_is_conversation_busy()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        var id = await fixture.CreateConversationAsync(agent);
        fixture.Model.Script(model, FakeReply.Text("slow").WithDelay(TimeSpan.FromSeconds(2)));

        var slow = Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "take your time" });
        await WaitForStatusAsync(id, "running");
        var busy = await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "me too" });

        await AssertProblemAsync(busy, HttpStatusCode.Conflict, "conversation_busy");
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
    }

    [Fact]
    public async Task The_context_window_keeps_the_newest_messages_that_fit()
    {
        var model = $"window-{Guid.NewGuid():N}";
        var (agent, _) = await fixture.CreateAgentAsync(
            $$"""{ "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{fixture.Model.BaseUrl}}", "contextWindow": 300, "max_tokens": 100 } }""");
        var id = await fixture.CreateConversationAsync(agent);
        var words = string.Join(' ', Enumerable.Repeat("lorem", 40));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = $"{i} {words}" })).StatusCode);
        }

        var sent = fixture.Model.Requests.Last(r => r.Model == model);
        Assert.StartsWith("5 ", sent.LastUserMessage, StringComparison.Ordinal);
        Assert.True(sent.Messages.Count < 12, $"expected old messages to be left out, got {sent.Messages.Count}");
        Assert.Equal("user", sent.Messages[^1].Role);
        Assert.DoesNotContain(sent.Messages, m => m.Content?.StartsWith("0 ", StringComparison.Ordinal) == true);
    }

    private async Task WaitForStatusAsync(string id, string status)
    {
        for (var i = 0; i < 100; i++)
        {
            var info = await ReadAsync(await Client.GetAsync($"/conversations/{id}"));
            if ((string?)info["status"] == status)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"conversation {id} never became {status}");
    }
}
