using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// One user's conversation is, to anyone else, a conversation that does not exist, and one tenant's agent (or an agent
/// restricted to others) an agent that does not exist: the same answer as for a missing id, on every endpoint and
/// WebSocket method, so nothing tells the two apart.
/// </summary>
[Collection(SecureGatewayCollection.Name)]
public sealed class IsolationTests(SecureGatewayFixture fixture)
{
    [Theory]
    [InlineData(SecureGatewayFixture.Tenant)] // another user of the same tenant
    [InlineData("globex")] // a user of another tenant
    public async Task Another_callers_conversation_answers_as_a_missing_one_on_every_endpoint(string otherTenant)
    {
        var agentId = await fixture.CreateAgentAsync();
        using var alice = fixture.As("alice-" + otherTenant, roles: "admin");
        using var bob = fixture.As("bob", otherTenant, "admin");
        var conversationId = await fixture.CreateConversationAsync(alice, agentId);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "secret plans" })).StatusCode);
        var missingId = "conv-" + Guid.NewGuid().ToString("N");
        var requests = new Dictionary<string, Func<string, Task<HttpResponseMessage>>>
        {
            ["GET conversation"] = id => bob.GetAsync($"/conversations/{id}"),
            ["GET messages"] = id => bob.GetAsync($"/conversations/{id}/messages"),
            ["GET events"] = id => bob.GetAsync($"/conversations/{id}/events?after=0", HttpCompletionOption.ResponseHeadersRead),
            ["POST message"] = id => bob.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "hi" }),
            ["POST message as an event stream"] = id => SendAsEventStreamAsync(bob, $"/conversations/{id}/messages", new { message = "hi" }),
            ["POST cancel"] = id => bob.PostAsync($"/conversations/{id}/cancel", null),
            ["GET approvals"] = id => bob.GetAsync($"/conversations/{id}/approvals"),
            ["POST approval"] = id => bob.PostAsJsonAsync($"/conversations/{id}/approvals/appr-1", new { decision = "once" }),
            ["PATCH conversation"] = id => bob.PatchAsJsonAsync($"/conversations/{id}", new { permissions = new { } }),
            ["DELETE conversation"] = id => bob.DeleteAsync($"/conversations/{id}"),
        };

        foreach (var (name, send) in requests)
        {
            using var foreign = await send(conversationId);
            using var missing = await send(missingId);

            Assert.True(foreign.StatusCode == HttpStatusCode.NotFound, $"{name}: {(int)foreign.StatusCode}");
            var problem = (await foreign.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("conversation_not_found", problem["code"]!.GetValue<string>());
            Assert.Equal($"Conversation '{conversationId}' was not found.", problem["detail"]!.GetValue<string>());
            // The whole answer (status, type, title, code, detail, instance) is the missing id's, but for the id itself.
            Assert.Equal(missing.StatusCode, foreign.StatusCode);
            Assert.Equal(missing.Content.Headers.ContentType?.ToString(), foreign.Content.Headers.ContentType?.ToString());
            Assert.Equal(Normalized(await ProblemAsync(missing), missingId), Normalized(problem, conversationId));
        }

        var listed = (await bob.GetFromJsonAsync<JsonObject>("/conversations"))!["conversations"]!.AsArray();
        Assert.DoesNotContain(listed, c => c!["id"]!.GetValue<string>() == conversationId);
        var history = (await alice.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}/messages"))!["messages"]!.AsArray();
        Assert.Equal(2, history.Count); // bob's attempts changed nothing
    }

    [Theory]
    [InlineData(SecureGatewayFixture.Tenant)]
    [InlineData("globex")]
    public async Task Another_callers_conversation_answers_as_a_missing_one_over_the_websocket(string otherTenant)
    {
        var agentId = await fixture.CreateAgentAsync();
        using var alice = fixture.As("alice-ws-" + otherTenant, roles: "user");
        var conversationId = await fixture.CreateConversationAsync(alice, agentId);
        var missingId = "conv-" + Guid.NewGuid().ToString("N");
        await using var bob = await ConnectAsync(fixture.Token("bob-ws", otherTenant, ["admin"]));
        string[] methods = ["conversations.subscribe", "conversations.unsubscribe", "messages.send", "conversations.cancel", "approvals.reply"];

        foreach (var method in methods)
        {
            var foreign = await bob.RequestAsync(method, Params(method, conversationId));
            var missing = await bob.RequestAsync(method, Params(method, missingId));

            if (method != "conversations.unsubscribe") // the one method that answers a missing id with a result
            {
                Assert.Equal("conversation_not_found", foreign["error"]?["data"]?["code"]?.GetValue<string>());
            }

            Assert.Equal(Normalized(missing, missingId), Normalized(foreign, conversationId));
        }

        var history = (await alice.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}/messages"))!["messages"]!.AsArray();
        Assert.Empty(history); // bob's attempts started no turn

        static object Params(string method, string conversationId) => method switch
        {
            "messages.send" => new { conversationId, message = "hi" },
            "approvals.reply" => new { conversationId, approvalId = "appr-1", decision = "once" },
            _ => new { conversationId },
        };
    }

    [Fact]
    public async Task Agents_of_another_tenant_answer_as_missing_ones_on_every_endpoint()
    {
        using var acmeDeveloper = fixture.As("dev-acme", roles: "developer");
        // A developer may read, write and use agents and read MCP sessions: every agent endpoint is open to it.
        using var globexDeveloper = fixture.As("dev-globex", "globex", "developer");
        var agentId = await fixture.CreateAgentAsync(acmeDeveloper);
        var before = await acmeDeveloper.GetStringAsync($"/agents/{agentId}");
        var missingId = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var requests = new Dictionary<string, Func<string, Task<HttpResponseMessage>>>
        {
            ["GET agent"] = id => globexDeveloper.GetAsync($"/agents/{id}"),
            ["PUT agent"] = id => globexDeveloper.PutAsJsonAsync($"/agents/{id}", new { name = "taken over", model = new { provider = "openai", name = "m" } }),
            ["GET tools"] = id => globexDeveloper.GetAsync($"/agents/{id}/tools"),
            ["GET tool changes"] = id => globexDeveloper.GetAsync($"/agents/{id}/tool-changes"),
            ["POST accept"] = id => globexDeveloper.PostAsync($"/agents/{id}/tool-changes/t_x/accept", null),
            ["GET mcp servers"] = id => globexDeveloper.GetAsync($"/agents/{id}/mcp-servers"),
            ["POST conversation"] = id => globexDeveloper.PostAsJsonAsync("/conversations", new { agentId = id }),
            ["DELETE agent"] = id => globexDeveloper.DeleteAsync($"/agents/{id}"),
        };

        foreach (var (name, send) in requests)
        {
            using var foreign = await send(agentId);
            using var missing = await send(missingId);

            Assert.True(foreign.StatusCode == HttpStatusCode.NotFound, $"{name}: {(int)foreign.StatusCode}");
            Assert.Equal(Normalized(await ProblemAsync(missing), missingId), Normalized(await ProblemAsync(foreign), agentId));
        }

        var listed = (await globexDeveloper.GetFromJsonAsync<JsonObject>("/agents"))!["agents"]!.AsArray();
        Assert.DoesNotContain(listed, a => a!["id"]!.GetValue<string>() == agentId);
        Assert.Equal(before, await acmeDeveloper.GetStringAsync($"/agents/{agentId}")); // unchanged, not deleted
    }

    [Fact]
    public async Task Another_tenants_agent_and_a_restricted_agent_answer_as_missing_ones_over_the_websocket()
    {
        using var acmeDeveloper = fixture.As("dev-acme-ws", roles: "developer");
        var otherTenantsAgent = await fixture.CreateAgentAsync(acmeDeveloper);
        var restrictedAgent = await fixture.CreateAgentAsync(extraJson: """{ "access": { "users": ["someone-else"] } }""");
        var missingId = "agent-" + Guid.NewGuid().ToString("N")[..10];
        await using var globexDeveloper = await ConnectAsync(fixture.Token("dev-globex-ws", "globex", ["developer"]));
        await using var acmeUser = await ConnectAsync(fixture.Token("user-acme-ws", roles: ["user"]));

        foreach (var (socket, agentId) in new[] { (globexDeveloper, otherTenantsAgent), (acmeUser, restrictedAgent) })
        {
            foreach (var method in new[] { "agents.get", "conversations.create" })
            {
                var hidden = await socket.RequestAsync(method, new { agentId });
                var missing = await socket.RequestAsync(method, new { agentId = missingId });

                Assert.Equal("agent_not_found", hidden["error"]?["data"]?["code"]?.GetValue<string>());
                Assert.Equal(Normalized(missing, missingId), Normalized(hidden, agentId));
            }

            var listed = (await socket.RequestAsync("agents.list"))["result"]!["agents"]!.AsArray();
            Assert.DoesNotContain(listed, a => a!["id"]!.GetValue<string>() == agentId);
        }
    }

    [Fact]
    public async Task Another_tenants_admin_reads_none_of_this_tenants_audit_records()
    {
        var actor = "dev-audited-" + Guid.NewGuid().ToString("N")[..8];
        using var acmeDeveloper = fixture.As(actor, roles: "developer");
        var acmeAgent = await fixture.CreateAgentAsync(acmeDeveloper);
        var (globexKey, _) = await fixture.IssueKeyAsync("globex-admin-" + actor, "globex", "admin");
        using var globexAdmin = fixture.ClientWithKey(globexKey);
        var globexAgent = await fixture.CreateAgentAsync(globexAdmin);

        using var acmeAuditor = fixture.As("auditor-" + actor, roles: "auditor");
        var acmeRecords = await AuditAsync(acmeAuditor, $"?actor={actor}");
        var globexRecords = await AuditAsync(globexAdmin, "?limit=200");
        var globexRecordsOfTheActor = await AuditAsync(globexAdmin, $"?actor={actor}");

        Assert.Contains(acmeRecords, e => e["resourceId"]!.GetValue<string>() == acmeAgent); // the record exists, in its tenant
        Assert.Contains(globexRecords, e => e["resourceId"]!.GetValue<string>() == globexAgent);
        Assert.All(globexRecords, e => Assert.Equal("globex", e["tenant"]!.GetValue<string>()));
        Assert.DoesNotContain(globexRecords, e => e.ToJsonString().Contains(acmeAgent, StringComparison.Ordinal));
        Assert.Empty(globexRecordsOfTheActor);
    }

    private Task<WebSocketJsonClient> ConnectAsync(string token) =>
        fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + token));

    private static async Task<List<JsonObject>> AuditAsync(HttpClient client, string query) =>
        [.. (await client.GetFromJsonAsync<JsonObject>("/admin/audit" + query))!["entries"]!.AsArray().Select(e => e!.AsObject())];

    private static async Task<HttpResponseMessage> SendAsEventStreamAsync(HttpClient client, string url, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>
    /// The answer (a problem, or a WebSocket response) as text with <paramref name="id"/> replaced and what differs
    /// from request to request left out: the problem's trace id, the WebSocket request's id.
    /// </summary>
    private static string Normalized(JsonObject answer, string id)
    {
        var copy = answer.DeepClone().AsObject();
        copy.Remove("traceId");
        copy.Remove("id");
        return copy.ToJsonString().Replace(id, "{id}", StringComparison.Ordinal);
    }
}
