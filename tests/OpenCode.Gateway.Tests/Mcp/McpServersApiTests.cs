using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Mcp;

/// <summary>
/// End to end through a gateway process: operator-defined servers used by name (WebSocket, OAuth 2.0), server
/// credentials from <c>Secrets__…</c>, and what never leaves the gateway (secrets, the end user's own token).
/// </summary>
[Collection(McpServersCollection.Name)]
public sealed class McpServersApiTests(McpServersFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("files", "files_echo", """{"message":"over the operator's websocket"}""", "over the operator's websocket")]
    [InlineData("secured", "secured_add", """{"a":40,"b":2}""", "42")]
    public async Task An_operator_defined_server_is_used_by_name(string server, string tool, string arguments, string expected)
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""{ "name": "{{server}}" }""");
        fixture.Model.Script(model, FakeReply.ToolCall(tool, arguments), FakeReply.Text("done"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "go" }));

        var call = reply["toolCalls"]!.AsArray().Single()!;
        Assert.Equal("completed", (string?)call["status"]);
        Assert.Equal(expected, (string?)call["result"]);
        Assert.Equal("done", (string?)reply["content"]);
    }

    [Fact]
    public async Task The_operator_oauth2_server_gets_a_token_for_the_configured_client_and_scopes()
    {
        var (agent, _) = await fixture.CreateAgentAsync("""{ "name": "secured" }""");

        var tools = await ReadAsync(await Client.GetAsync($"/agents/{agent}/tools"));

        Assert.Contains(tools["tools"]!.AsArray(), t => (string?)t!["name"] == "secured_echo");
        Assert.Empty(tools["errors"]!.AsArray());
        Assert.Equal(1, fixture.Issuer.TokenRequests); // one connection per silo and server, its token cached
        Assert.Equal(["mcp:tools"], fixture.Issuer.LastScopes);
    }

    [Fact]
    public async Task The_end_users_authorization_header_never_reaches_an_mcp_server()
    {
        const string userToken = "Bearer end-user-token-4f1e";
        using var user = new HttpClient { BaseAddress = fixture.Gateway.BaseUrl };
        user.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(userToken);
        var (agent, model) = await fixture.CreateAgentAsync(
            $$"""
            { "name": "open", "url": "{{fixture.Open.StreamableHttpUrl}}" },
            { "name": "keyed", "url": "{{fixture.Bearer.StreamableHttpUrl}}", "auth": { "type": "bearer", "tokenRef": "{{McpServersFixture.BearerRef}}" } }
            """,
            user);
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new FakeToolCall("open_echo", """{"message":"a"}"""), new FakeToolCall("keyed_echo", """{"message":"b"}""")),
            FakeReply.Text("both"));
        var conversation = await fixture.CreateConversationAsync(agent, user);

        var reply = await ReadAsync(await user.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "call both" }));

        Assert.All(reply["toolCalls"]!.AsArray(), call => Assert.Equal("completed", (string?)call!["status"]));
        Assert.DoesNotContain(userToken, fixture.Open.ReceivedAuthorizations);
        Assert.DoesNotContain(userToken, fixture.Bearer.ReceivedAuthorizations);
        Assert.NotEmpty(fixture.Bearer.ReceivedAuthorizations);
        Assert.All(fixture.Bearer.ReceivedAuthorizations, value => Assert.Equal($"Bearer {McpServersFixture.BearerToken}", value));
    }

    [Fact]
    public async Task A_secret_that_is_not_configured_is_a_server_error_and_the_turn_goes_on()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "name": "unset", "url": "{{fixture.Bearer.StreamableHttpUrl}}", "auth": { "type": "bearer", "tokenRef": "never-configured" } },
            { "name": "files" }
            """);
        fixture.Model.Script(model, FakeReply.Text("no secret, no tools from there"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var tools = await ReadAsync(await Client.GetAsync($"/agents/{agent}/tools"));
        var reply = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "hello" });

        var error = tools["errors"]!.AsArray().Single()!;
        Assert.Equal("unset", (string?)error["server"]);
        Assert.Contains("the secret 'never-configured' is not configured", (string?)error["error"]);
        Assert.Contains(tools["tools"]!.AsArray(), t => (string?)t!["name"] == "files_echo");
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("no secret, no tools from there", (string?)(await ReadAsync(reply))["content"]);
    }

    [Fact]
    public async Task Get_mcp_servers_lists_the_operator_servers_with_the_answering_silos_session_to_each()
    {
        var (agent, model) = await fixture.CreateAgentAsync("""{ "name": "files" }""");
        fixture.Model.Script(model, FakeReply.ToolCall("files_echo", """{"message":"connect"}"""), FakeReply.Text("done"));
        var conversation = await fixture.CreateConversationAsync(agent);
        await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "go" }));

        // The session's tool list can be re-fetching (a list-changed notification) for a moment: wait for it.
        var list = await ReadAsync(await Client.GetAsync("/mcp/servers"));
        for (var attempt = 0; attempt < 50 && list["servers"]![0]!["tools"] is null; attempt++)
        {
            await Task.Delay(100);
            list = await ReadAsync(await Client.GetAsync("/mcp/servers"));
        }

        Assert.False(string.IsNullOrWhiteSpace((string?)list["silo"]));
        var servers = list["servers"]!.AsArray();
        Assert.Equal(["files", "secured"], servers.Select(s => (string?)s!["name"]));
        var files = servers[0]!;
        Assert.Equal("websocket", (string?)files["transport"]);
        Assert.Equal("connected", (string?)files["state"]);
        Assert.True(files["connectedSince"]!.GetValue<DateTimeOffset>() <= DateTimeOffset.UtcNow);
        Assert.Equal(5, (int?)files["tools"]);
        Assert.Null(files["lastError"]);
        Assert.Contains((string?)servers[1]!["state"], new[] { "not_connected", "connected" });
    }

    [Fact]
    public async Task An_agents_mcp_servers_show_a_server_that_is_down_as_reconnecting_with_the_attempt_next_retry_and_last_error()
    {
        var (agent, _) = await fixture.CreateAgentAsync($$"""
            { "name": "down", "url": "http://127.0.0.1:{{LoopbackPort.Next()}}/mcp" },
            { "name": "files" }
            """);
        var before = await ReadAsync(await Client.GetAsync($"/agents/{agent}/mcp-servers"));
        await Client.GetAsync($"/agents/{agent}/tools"); // connects to both

        var after = await ReadAsync(await Client.GetAsync($"/agents/{agent}/mcp-servers"));

        var untouched = before["servers"]!.AsArray().Single(s => (string?)s!["name"] == "down")!;
        Assert.Equal("not_connected", (string?)untouched["state"]);
        var down = after["servers"]!.AsArray().Single(s => (string?)s!["name"] == "down")!;
        Assert.Equal("streamable-http", (string?)down["transport"]);
        Assert.Equal("reconnecting", (string?)down["state"]);
        Assert.True((int?)down["attempt"] >= 1);
        Assert.Contains("refused", (string?)down["lastError"], StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(down["lastErrorAt"]);
        var files = after["servers"]!.AsArray().Single(s => (string?)s!["name"] == "files")!;
        Assert.Equal("connected", (string?)files["state"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/agents/no-such-agent/mcp-servers")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_turns_of_many_conversations_share_one_session_to_their_server()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var conversations = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var (agent, model) = await fixture.CreateAgentAsync($$"""{ "name": "shared", "url": "{{server.StreamableHttpUrl}}" }""");
            fixture.Model.Script(model, FakeReply.ToolCall("shared_echo", $$"""{"message":"from {{i}}"}"""), FakeReply.Text($"done {i}"));
            return await fixture.CreateConversationAsync(agent);
        }));

        var replies = await Task.WhenAll(conversations.Select(async c =>
            await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{c}/messages", new { message = "go" }))));

        for (var i = 0; i < replies.Length; i++)
        {
            var call = replies[i]["toolCalls"]!.AsArray().Single()!;
            Assert.Equal("completed", (string?)call["status"]);
            Assert.Equal($"from {i}", (string?)call["result"]);
            Assert.Equal($"done {i}", (string?)replies[i]["content"]);
        }

        Assert.Equal(1, server.Handshakes);
    }

    [Fact]
    public async Task Secrets_are_never_returned_or_logged()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""
            { "name": "keyed", "url": "{{fixture.Bearer.WebSocketUrl}}", "auth": { "type": "bearer", "tokenRef": "{{McpServersFixture.BearerRef}}" } },
            { "name": "secured" }
            """);
        fixture.Model.Script(
            model,
            FakeReply.ToolCalls(new FakeToolCall("keyed_echo", """{"message":"x"}"""), new FakeToolCall("secured_echo", """{"message":"y"}""")),
            FakeReply.Text("ok"));
        var conversation = await fixture.CreateConversationAsync(agent);
        var reply = await ReadAsync(await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "go" }));

        var bodies = string.Concat(
            await Client.GetStringAsync($"/agents/{agent}"),
            await Client.GetStringAsync("/agents"),
            await Client.GetStringAsync($"/agents/{agent}/tools"),
            await Client.GetStringAsync($"/conversations/{conversation}/messages"),
            reply.ToJsonString());

        Assert.All(reply["toolCalls"]!.AsArray(), call => Assert.Equal("completed", (string?)call!["status"]));
        Assert.Contains(McpServersFixture.BearerRef, bodies);
        Assert.Contains("Connected to MCP server keyed over WebSocket", fixture.Gateway.Output, StringComparison.Ordinal); // the log is there, and verbose
        foreach (var secret in new[] { McpServersFixture.BearerToken, McpServersFixture.ClientSecret })
        {
            Assert.DoesNotContain(secret, bodies, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, fixture.Gateway.Output, StringComparison.Ordinal);
        }
    }
}
