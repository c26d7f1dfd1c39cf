using System.Net;
using System.Net.Http.Json;
using OpenCode.Gateway.Tests.Streaming;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Limits;

/// <summary><c>Limits:MaxConcurrentTurnsPerUser</c> (1 here) and <c>Limits:MaxMessageChars</c> over HTTP, SSE and the WebSocket.</summary>
public sealed class ConcurrentTurnsTests(TurnLimitedGateway gateway) : IClassFixture<TurnLimitedGateway>
{
    private HttpClient Client => gateway.Client;

    [Fact]
    public async Task While_a_turn_runs_another_turn_of_the_same_user_gets_429_too_many_turns_and_nothing_is_recorded()
    {
        var (slowAgent, slowModel) = await gateway.CreateAgentAsync();
        gateway.Model.Script(slowModel, FakeReply.Text("slow").WithDelay(TimeSpan.FromSeconds(3)));
        var (agent, _) = await gateway.CreateAgentAsync();
        var running = await gateway.CreateConversationAsync(slowAgent);
        var other = await gateway.CreateConversationAsync(agent);

        var first = Client.PostAsJsonAsync($"/conversations/{running}/messages", new { message = "take your time" });
        await WaitForStatusAsync(running, "running");
        var blocking = await Client.PostAsJsonAsync($"/conversations/{other}/messages", new { message = "me too" });
        using var streamed = await EventStreams.PostMessageAsync(Client, other, "me too, streamed");
        await using var ws = await WebSocketJsonClient.ConnectAsync(gateway.Gateway.BaseUrl);
        var overSocket = await ws.RequestAsync("messages.send", new { conversationId = other, message = "me too, over a socket" });

        await AssertProblemAsync(blocking, HttpStatusCode.TooManyRequests, "too_many_turns");
        await AssertProblemAsync(streamed, HttpStatusCode.TooManyRequests, "too_many_turns");
        Assert.Equal(-32029, (int?)overSocket["error"]!["code"]);
        Assert.Equal("too_many_turns", (string?)overSocket["error"]!["data"]!["code"]);
        Assert.Empty(await EventStreams.HistoryAsync(Client, other));

        // The slot is free once the running turn has ended.
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/conversations/{other}/messages", new { message = "my turn" })).StatusCode);
    }

    [Fact]
    public async Task A_message_longer_than_the_limit_is_a_validation_failure_naming_message()
    {
        var (agent, _) = await gateway.CreateAgentAsync();
        var conversation = await gateway.CreateConversationAsync(agent);
        var tooLong = new string('x', TurnLimitedGateway.MaxMessageChars + 1);

        var sent = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = tooLong });
        var created = await Client.PostAsJsonAsync("/conversations", new { agentId = agent, message = tooLong });
        await using var ws = await WebSocketJsonClient.ConnectAsync(gateway.Gateway.BaseUrl);
        var sentOverSocket = await ws.RequestAsync("messages.send", new { conversationId = conversation, message = tooLong });
        var createdOverSocket = await ws.RequestAsync("conversations.create", new { agentId = agent, message = tooLong });

        Assert.NotNull((await AssertProblemAsync(sent, HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["message"]);
        Assert.NotNull((await AssertProblemAsync(created, HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["message"]);
        foreach (var response in new[] { sentOverSocket, createdOverSocket })
        {
            Assert.Equal(-32602, (int?)response["error"]!["code"]);
            Assert.Equal("message", (string?)response["error"]!["data"]!["field"]);
        }

        Assert.Empty(await EventStreams.HistoryAsync(Client, conversation));
        var atTheLimit = new string('x', TurnLimitedGateway.MaxMessageChars);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = atTheLimit })).StatusCode);
    }

    private async Task WaitForStatusAsync(string conversation, string status)
    {
        using var deadline = new CancellationTokenSource(EventStreams.Timeout);
        while ((string?)(await Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/conversations/{conversation}", deadline.Token))!["status"] != status)
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
