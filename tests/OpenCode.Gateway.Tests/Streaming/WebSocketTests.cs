using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Api;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Streaming;

/// <summary>The <c>/ws</c> envelope protocol over a real socket: every method, broken frames, limits.</summary>
[Collection(GatewayCollection.Name)]
public sealed class WebSocketTests(GatewayFixture fixture) : IDisposable
{
    private const string UnknownConversation = "conv-00000000000000000000000000000000";

    public void Dispose() => fixture.Model.TokenInterval = TimeSpan.Zero;

    [Fact]
    public async Task Initialize_names_the_server_and_its_methods()
    {
        await using var ws = await ConnectAsync();

        var result = Result(await ws.RequestAsync("initialize", new { clientInfo = new { name = "test", version = "1" } }));

        Assert.Equal("OpenCode.Orleans", (string?)result["serverInfo"]!["name"]);
        Assert.False(string.IsNullOrEmpty((string?)result["serverInfo"]!["version"]));
        var methods = result["capabilities"]!["methods"]!.AsArray().Select(m => (string?)m).ToList();
        Assert.Contains("messages.send", methods);
        Assert.Contains("approvals.reply", methods);
        Assert.Contains("message.delta", result["capabilities"]!["events"]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task Agents_are_created_read_and_listed_like_over_HTTP()
    {
        await using var ws = await ConnectAsync();
        var id = "ws-agent-" + Guid.NewGuid().ToString("N")[..8];

        var created = Result(await ws.RequestAsync("agents.create", JsonNode.Parse($$"""
            { "agent": { "id": "{{id}}", "name": "Over a socket", "model": { "provider": "openai", "name": "m", "endpoint": "{{fixture.Model.BaseUrl}}" } } }
            """)));
        var read = Result(await ws.RequestAsync("agents.get", new { agentId = id }));
        var listed = Result(await ws.RequestAsync("agents.list"));
        var overHttp = await fixture.Client.GetStringAsync($"/agents/{id}");

        Assert.Equal(id, (string?)created["id"]);
        Assert.Equal(1, (int?)read["version"]);
        Assert.Equal(JsonNode.Parse(overHttp)!.ToJsonString(), read.ToJsonString());
        Assert.Contains(listed["agents"]!.AsArray(), a => (string?)a!["id"] == id);

        var missing = Error(await ws.RequestAsync("agents.get", new { agentId = "no-such-agent" }), -32004, "agent_not_found");
        Assert.Contains("no-such-agent", (string?)missing["message"]);
        var invalid = Error(await ws.RequestAsync("agents.create", new { name = "x", model = new { provider = "nope", name = "m" } }), -32602, "validation_failed");
        Assert.NotNull(invalid["data"]!["field"]);
    }

    [Fact]
    public async Task A_message_sent_over_the_socket_is_answered_at_once_then_streams_its_turn()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text("streamed over a socket"));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(20);
        await using var ws = await ConnectAsync();
        var conversation = (string)Result(await ws.RequestAsync("conversations.create", new { agentId = agent }))["id"]!;

        var sent = Result(await ws.RequestAsync("messages.send", new { conversationId = conversation, message = "hi" }));
        var turnId = (string?)sent["turnId"];
        var events = await ws.EventsUntilAsync(IsTerminal);

        Assert.NotNull(turnId);
        Assert.Equal("turn.started", (string?)events[0]["method"]);
        Assert.Equal((string?)sent["messageId"], (string?)events[0]["params"]!["userMessageId"]);
        Assert.All(events, e => Assert.Equal(turnId, (string?)e["params"]!["turnId"]));
        Assert.All(events, e => Assert.Equal(conversation, (string?)e["params"]!["conversationId"]));
        Assert.Equal("turn.completed", (string?)events[^1]["method"]);
        Assert.Equal("streamed over a socket", string.Concat(events.Where(e => (string?)e["method"] == "message.delta").Select(e => (string?)e["params"]!["text"])));
    }

    [Fact]
    public async Task A_subscribed_socket_gets_every_event_once_even_for_the_turns_it_starts()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        await using var ws = await ConnectAsync();
        var conversation = await fixture.CreateConversationAsync(agent);
        Assert.Equal(HttpStatusCode(200), await SendOverHttpAsync(conversation, "before"));

        var subscribed = Result(await ws.RequestAsync("conversations.subscribe", new { conversationId = conversation, after = 0 }));
        Assert.True((bool?)subscribed["subscribed"]);
        var replay = await ws.EventsUntilAsync(IsTerminal);
        var sent = Result(await ws.RequestAsync("messages.send", new { conversationId = conversation, message = "after" }));
        var live = await ws.EventsUntilAsync(e => IsTerminal(e) && (string?)e["params"]!["turnId"] == (string?)sent["turnId"]);
        await Task.Delay(300);

        Assert.False(ws.TryTakeEvent(out var extra), $"an event came twice: {extra?.ToJsonString()}");
        var seqs = replay.Concat(live).Select(e => (long)e["params"]!["seq"]!).ToList();
        Assert.Equal(seqs.Distinct().Order(), seqs);
        Assert.Single(live, e => (string?)e["method"] == "turn.started");

        Assert.False((bool?)Result(await ws.RequestAsync("conversations.unsubscribe", new { conversationId = conversation }))["subscribed"]);
        Assert.Equal(HttpStatusCode(200), await SendOverHttpAsync(conversation, "unwatched"));
        await Task.Delay(500);
        Assert.False(ws.TryTakeEvent(out _), "an unsubscribed conversation's events still came");
    }

    [Fact]
    public async Task One_socket_follows_two_conversations()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(20);
        await using var ws = await ConnectAsync();
        var first = (string)Result(await ws.RequestAsync("conversations.create", new { agentId = agent }))["id"]!;
        var second = (string)Result(await ws.RequestAsync("conversations.create", new { agentId = agent }))["id"]!;

        Result(await ws.RequestAsync("conversations.subscribe", new { conversationId = first }));
        Result(await ws.RequestAsync("messages.send", new { conversationId = first, message = "to the first" }));
        Result(await ws.RequestAsync("messages.send", new { conversationId = second, message = "to the second" }));
        var terminals = 0;
        var events = await ws.EventsUntilAsync(e => IsTerminal(e) && ++terminals == 2);

        var byConversation = events.GroupBy(e => (string?)e["params"]!["conversationId"]).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.Equal(2, byConversation.Count);
        Assert.Equal("echo: to the first", Text(byConversation[first]));
        Assert.Equal("echo: to the second", Text(byConversation[second]));
    }

    [Fact]
    public async Task Cancel_and_approvals_work_over_the_socket()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ {{JsonSerializer.Serialize(new { name = "test", command = TestMcpServerCommand.Command, args = TestMcpServerCommand.Args })}} ] },
              "permissions": { "test_*": "ask" } }
            """);
        fixture.Model.Script(model, FakeReply.ToolCall("test_echo", """{"message":"approved"}"""), FakeReply.Text("tool said approved"));
        await using var ws = await ConnectAsync();
        var conversation = (string)Result(await ws.RequestAsync("conversations.create", new { agentId = agent }))["id"]!;

        Result(await ws.RequestAsync("messages.send", new { conversationId = conversation, message = "use it" }));
        var asked = (await ws.EventsUntilAsync(e => (string?)e["method"] == "tool.approval.requested"))[^1]["params"]!;
        Assert.Equal("approved", (string?)asked["arguments"]!["message"]);
        Error(await ws.RequestAsync("approvals.reply", new { conversationId = conversation, approvalId = (string?)asked["approvalId"], decision = "maybe" }), -32602, "validation_failed");
        var reply = Result(await ws.RequestAsync("approvals.reply", new { conversationId = conversation, approvalId = (string?)asked["approvalId"], decision = "once" }));
        Assert.Equal("tool said approved", (string?)reply["content"]);
        Assert.Equal("turn.completed", (string?)(await ws.EventsUntilAsync(IsTerminal))[^1]["method"]);

        fixture.Model.Script(model, FakeReply.Text("a b c d e f g h i j k l m n o p"));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(200);
        var sent = Result(await ws.RequestAsync("messages.send", new { conversationId = conversation, message = "long" }));
        await ws.EventsUntilAsync(e => (string?)e["method"] == "message.delta");
        var cancelled = Result(await ws.RequestAsync("conversations.cancel", new { conversationId = conversation }));
        Assert.Equal((string?)sent["turnId"], (string?)cancelled["turnId"]);
        Assert.Equal("turn.cancelled", (string?)(await ws.EventsUntilAsync(IsTerminal, TimeSpan.FromSeconds(5)))[^1]["method"]);
    }

    [Fact]
    public async Task Broken_frames_get_JSON_RPC_errors_and_the_socket_stays_open()
    {
        await using var ws = await ConnectAsync();

        await ws.SendTextAsync("{ not json");
        AssertError(await ws.NextResponseAsync(), -32700, expectedId: null);
        await ws.SendTextAsync("[1, 2]");
        AssertError(await ws.NextResponseAsync(), -32600, expectedId: null);
        await ws.SendTextAsync("""{ "type": "request", "id": 7 }""");
        AssertError(await ws.NextResponseAsync(), -32600, expectedId: 7);
        await ws.SendTextAsync("""{ "type": "response", "id": 8, "method": "initialize" }""");
        AssertError(await ws.NextResponseAsync(), -32600, expectedId: 8);

        Error(await ws.RequestAsync("no.such.method"), -32601, apiCode: null);
        var missing = Error(await ws.RequestAsync("messages.send", new { message = "hi" }), -32602, "validation_failed");
        Assert.Equal("conversationId", (string?)missing["data"]!["field"]);
        var wrongType = Error(await ws.RequestAsync("conversations.subscribe", new { conversationId = UnknownConversation, after = "x" }), -32602, "validation_failed");
        Assert.Equal("after", (string?)wrongType["data"]!["field"]);
        Error(await ws.RequestAsync("messages.send", new { conversationId = UnknownConversation, message = "hi" }), -32004, "conversation_not_found");
        Error(await ws.RequestAsync("conversations.subscribe", new { conversationId = UnknownConversation }), -32004, "conversation_not_found");
        Error(await ws.RequestAsync("conversations.create", new { agentId = "a", unknownField = 1 }), -32602, "validation_failed");

        Assert.Equal(WebSocketState.Open, ws.State);
        Assert.Equal("OpenCode.Orleans", (string?)Result(await ws.RequestAsync("initialize"))["serverInfo"]!["name"]);
    }

    [Fact]
    public async Task An_oversized_frame_closes_the_socket_with_1009()
    {
        await using var ws = await ConnectAsync();

        await ws.SendTextAsync($$"""{ "type": "request", "id": 1, "method": "initialize", "params": { "pad": "{{new string('x', GatewayFixture.MaxWebSocketMessageBytes)}}" } }""");
        await ws.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        Assert.Contains("larger than", ws.CloseStatusDescription);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_disconnected_with_1008_instead_of_being_buffered_for()
    {
        var id = "big-agent-" + Guid.NewGuid().ToString("N")[..8];
        var instructions = new string('i', 32 * 1024);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await fixture.Client.PostAsync("/agents", new StringContent(
            JsonSerializer.Serialize(new { id, name = "big", instructions, model = new { provider = "openai", name = "m", endpoint = fixture.Model.BaseUrl } }),
            Encoding.UTF8, "application/json"))).StatusCode);

        // A tiny receive buffer so that the server's sends back up quickly.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(WebSocketJsonClient.WebSocketUrl(fixture.Gateway.BaseUrl), invoker, CancellationToken.None);
        for (var i = 0; i < 400; i++)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes($$$"""{"type":"request","id":{{{i}}},"method":"agents.get","params":{"agentId":"{{{id}}}"}}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        // Not reading while the server's queue stays full past its timeout (1 s here), then reading what was sent.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var buffer = new byte[64 * 1024];
        var responses = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, deadline.Token);
            responses += received.EndOfMessage && received.MessageType == WebSocketMessageType.Text ? 1 : 0;
        }
        while (received.MessageType != WebSocketMessageType.Close);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Equal("send queue full: the client reads too slowly", socket.CloseStatusDescription);
        Assert.True(responses < 400, $"all {responses} responses were buffered for the slow client");
    }

    private async Task<WebSocketJsonClient> ConnectAsync() => await WebSocketJsonClient.ConnectAsync(fixture.Gateway.BaseUrl);

    private async Task<System.Net.HttpStatusCode> SendOverHttpAsync(string conversation, string message) =>
        (await fixture.Client.PostAsync($"/conversations/{conversation}/messages",
            new StringContent(JsonSerializer.Serialize(new { message }), Encoding.UTF8, "application/json"))).StatusCode;

    private static System.Net.HttpStatusCode HttpStatusCode(int status) => (System.Net.HttpStatusCode)status;

    private static bool IsTerminal(JsonObject e) => (string?)e["method"] is "turn.completed" or "turn.failed" or "turn.cancelled";

    private static string Text(IEnumerable<JsonObject> events) =>
        string.Concat(events.Where(e => (string?)e["method"] == "message.delta").Select(e => (string?)e["params"]!["text"]));

    private static JsonObject Result(JsonObject response)
    {
        Assert.True(response["error"] is null, response.ToJsonString());
        Assert.Equal("response", (string?)response["type"]);
        return response["result"]!.AsObject();
    }

    private static JsonObject Error(JsonObject response, int code, string? apiCode)
    {
        Assert.True(response["error"] is not null, response.ToJsonString());
        var error = response["error"]!.AsObject();
        Assert.Equal(code, (int?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.Equal(apiCode, (string?)error["data"]?["code"]);
        return error;
    }

    private static void AssertError(JsonObject response, int code, int? expectedId)
    {
        Assert.Equal("response", (string?)response["type"]);
        Assert.Equal(code, (int?)response["error"]!["code"]);
        Assert.Equal(expectedId, (int?)response["id"]);
    }
}
