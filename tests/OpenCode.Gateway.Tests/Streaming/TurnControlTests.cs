using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Api;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Streaming.EventStreams;

namespace OpenCode.Gateway.Tests.Streaming;

/// <summary>Cancel, busy policies and idempotent retries through the HTTP API.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TurnControlTests(GatewayFixture fixture) : IDisposable
{
    private const string ManyWords = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon";

    private HttpClient Client => fixture.Client;

    public void Dispose() => fixture.Model.TokenInterval = TimeSpan.Zero;

    [Fact]
    public async Task Cancel_during_model_streaming_ends_the_turn_within_a_second_and_keeps_the_partial_text()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text(ManyWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(200);
        var conversation = await fixture.CreateConversationAsync(agent);

        using var response = await PostMessageAsync(Client, conversation, "talk");
        using var reader = await ReaderAsync(response);
        var deltas = 0;
        var before = await ReadUntilAsync(reader, e => e.Type == "message.delta" && ++deltas == 2);
        var turnId = (string?)Data(before[0])["turnId"];

        var clock = Stopwatch.StartNew();
        var cancel = await Client.PostAsync($"/conversations/{conversation}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(turnId, (string?)(await cancel.Content.ReadFromJsonAsync<JsonObject>())!["turnId"]);
        var rest = await ReadUntilAsync(reader, IsTerminal);
        clock.Stop();

        Assert.Equal("turn.cancelled", rest[^1].Type);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"turn.cancelled came {clock.Elapsed} after the cancel");
        Assert.Null(await reader.ReadAsync());
        var partial = Text(before) + Text(rest);
        Assert.StartsWith(partial, ManyWords, StringComparison.Ordinal);
        Assert.True(partial.Length < ManyWords.Length);
        var last = (await HistoryAsync(Client, conversation))[^1]!;
        Assert.Equal("assistant", (string?)last["role"]);
        Assert.StartsWith((string?)last["content"] ?? "", ManyWords, StringComparison.Ordinal);
        Assert.True(((string?)last["content"])?.Length >= Text(before).Length, "the partial text was not recorded");
    }

    [Fact]
    public async Task Cancel_during_a_slow_tool_call_cancels_the_call_and_ends_the_turn_within_a_second()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ {{StdioServer()}} ] } }""");
        fixture.Model.Script(model, FakeReply.ToolCall("test_slow", """{"ms":20000}"""), FakeReply.Text("never"));
        var conversation = await fixture.CreateConversationAsync(agent);

        using var response = await PostMessageAsync(Client, conversation, "slowly");
        using var reader = await ReaderAsync(response);
        var started = (await ReadUntilAsync(reader, e => e.Type == "tool.call.started"))[^1];
        Assert.Equal("test_slow", (string?)Data(started)["name"]);
        Assert.Equal(20000, (int?)Data(started)["arguments"]!["ms"]);

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsync($"/conversations/{conversation}/cancel", null)).StatusCode);
        var rest = await ReadUntilAsync(reader, IsTerminal);
        clock.Stop();

        Assert.Equal("turn.cancelled", rest[^1].Type);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"turn.cancelled came {clock.Elapsed} after the cancel");
        var completed = rest.Single(e => e.Type == "tool.call.completed");
        Assert.Equal("cancelled", (string?)Data(completed)["status"]);
        var calls = (await HistoryAsync(Client, conversation)).SelectMany(m => m!["toolCalls"]?.AsArray() ?? []).ToList();
        Assert.Equal("cancelled", (string?)calls.Single()!["status"]);
        Assert.Equal(1, fixture.Model.Requests.Count(r => r.Model == model));
    }

    [Fact]
    public async Task Cancel_answers_null_when_nothing_runs_and_404_for_an_unknown_conversation()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var idle = await Client.PostAsync($"/conversations/{conversation}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, idle.StatusCode);
        var body = (await idle.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(body.ContainsKey("turnId"));
        Assert.Null(body["turnId"]);
        await AgentsApiTests.AssertProblemAsync(
            await Client.PostAsync("/conversations/conv-00000000000000000000000000000000/cancel", null), HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Fact]
    public async Task Busy_policy_reject_refuses_a_message_while_a_turn_runs()
    {
        var (agent, model) = await fixture.CreateAgentAsync("""{ "busyPolicy": "reject" }""");
        fixture.Model.Script(model, FakeReply.Text(ManyWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(50);
        var conversation = await fixture.CreateConversationAsync(agent);

        using var running = await PostMessageAsync(Client, conversation, "first");
        using var reader = await ReaderAsync(running);
        await ReadUntilAsync(reader, e => e.Type == "message.delta");

        await AgentsApiTests.AssertProblemAsync(
            await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "second" }), HttpStatusCode.Conflict, "conversation_busy");
        await AgentsApiTests.AssertProblemAsync(await PostMessageAsync(Client, conversation, "third"), HttpStatusCode.Conflict, "conversation_busy");
        Assert.Equal("turn.completed", (await ReadUntilAsync(reader, IsTerminal))[^1].Type);
        Assert.Equal(2, (await HistoryAsync(Client, conversation)).Count);
    }

    [Fact]
    public async Task Busy_policy_enqueue_runs_the_next_message_after_the_current_turn()
    {
        var (agent, model) = await fixture.CreateAgentAsync("""{ "busyPolicy": "enqueue" }""");
        fixture.Model.Script(model, FakeReply.Text(ManyWords), FakeReply.Text("second reply"));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(50);
        var conversation = await fixture.CreateConversationAsync(agent);

        using var first = await PostMessageAsync(Client, conversation, "first");
        using var firstReader = await ReaderAsync(first);
        await ReadUntilAsync(firstReader, e => e.Type == "message.delta");
        using var second = await PostMessageAsync(Client, conversation, "second");
        using var secondReader = await ReaderAsync(second);

        var firstEvents = await ReadUntilAsync(firstReader, IsTerminal);
        var secondEvents = await ReadUntilAsync(secondReader, IsTerminal);
        Assert.Equal("turn.completed", firstEvents[^1].Type);
        Assert.Equal("turn.completed", secondEvents[^1].Type);
        Assert.True(long.Parse(secondEvents[0].Id!) > long.Parse(firstEvents[^1].Id!), "the queued turn started before the running one ended");
        var history = await HistoryAsync(Client, conversation);
        Assert.Equal(["first", ManyWords, "second", "second reply"], history.Select(m => (string?)m!["content"]));
    }

    [Fact]
    public async Task Busy_policy_interrupt_cancels_the_running_turn_and_runs_the_new_message()
    {
        var (agent, model) = await fixture.CreateAgentAsync("""{ "busyPolicy": "interrupt" }""");
        fixture.Model.Script(model, FakeReply.Text(ManyWords), FakeReply.Text("new reply"));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(100);
        var conversation = await fixture.CreateConversationAsync(agent);

        using var first = await PostMessageAsync(Client, conversation, "first");
        using var firstReader = await ReaderAsync(first);
        await ReadUntilAsync(firstReader, e => e.Type == "message.delta");
        using var second = await PostMessageAsync(Client, conversation, "second");
        using var secondReader = await ReaderAsync(second);

        Assert.Equal("turn.cancelled", (await ReadUntilAsync(firstReader, IsTerminal))[^1].Type);
        var secondEvents = await ReadUntilAsync(secondReader, IsTerminal);
        Assert.Equal("turn.completed", secondEvents[^1].Type);
        Assert.Equal("new reply", (string?)(await HistoryAsync(Client, conversation))[^1]!["content"]);
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_returns_the_first_answer_and_runs_nothing_again()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);
        var key = "retry-" + Guid.NewGuid().ToString("N");

        var first = await SendAsync(conversation, "once only", key);
        var second = await SendAsync(conversation, "once only", key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var b = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)a["id"], (string?)b["id"]);
        Assert.Equal("echo: once only", (string?)b["content"]);
        Assert.Equal(1, fixture.Model.Requests.Count(r => r.Model == model));
        Assert.Equal(2, (await HistoryAsync(Client, conversation)).Count);

        await AgentsApiTests.AssertProblemAsync(await SendAsync(conversation, "something else", key), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(1, fixture.Model.Requests.Count(r => r.Model == model));
    }

    [Fact]
    public async Task A_streamed_retry_with_the_same_Idempotency_Key_attaches_to_the_same_turn()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text(ManyWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(50);
        var conversation = await fixture.CreateConversationAsync(agent);
        var key = "stream-" + Guid.NewGuid().ToString("N");

        using var first = await PostMessageAsync(Client, conversation, "go", key);
        using var firstReader = await ReaderAsync(first);
        var started = (await ReadUntilAsync(firstReader, e => e.Type == "turn.started"))[^1];
        using var retry = await PostMessageAsync(Client, conversation, "go", key);
        using var retryReader = await ReaderAsync(retry);
        var retried = await ReadUntilAsync(retryReader, IsTerminal);

        Assert.Equal((string?)Data(started)["turnId"], (string?)Data(retried[^1])["turnId"]);
        Assert.Equal("turn.completed", retried[^1].Type);
        Assert.Equal(1, fixture.Model.Requests.Count(r => r.Model == model));
    }

    [Fact]
    public async Task A_malformed_Idempotency_Key_is_a_validation_failure_naming_the_header()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var problem = await AgentsApiTests.AssertProblemAsync(await SendAsync(conversation, "hi", "tab\tinside"), HttpStatusCode.BadRequest, "validation_failed");

        Assert.NotNull(problem["errors"]!["Idempotency-Key"]);
    }

    private async Task<HttpResponseMessage> SendAsync(string conversation, string message, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversation}/messages") { Content = JsonContent.Create(new { message }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await Client.SendAsync(request);
    }

    private static string StdioServer() =>
        JsonSerializer.Serialize(new { name = "test", command = TestMcpServerCommand.Command, args = TestMcpServerCommand.Args });
}
