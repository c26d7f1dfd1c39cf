using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>One user's conversation is, to anyone else, a conversation that does not exist: on every endpoint and WebSocket method.</summary>
[Collection(SecureGatewayCollection.Name)]
public sealed class IsolationTests(SecureGatewayFixture fixture)
{
    [Theory]
    [InlineData(SecureGatewayFixture.Tenant)] // another user of the same tenant
    [InlineData("globex")] // a user of another tenant
    public async Task Another_callers_conversation_is_not_found_on_every_endpoint(string otherTenant)
    {
        var agentId = await fixture.CreateAgentAsync();
        using var alice = fixture.As("alice-" + otherTenant, roles: "admin");
        using var bob = fixture.As("bob", otherTenant, "admin");
        var conversationId = await fixture.CreateConversationAsync(alice, agentId);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "secret plans" })).StatusCode);
        var missingId = "conv-" + Guid.NewGuid().ToString("N");

        foreach (var id in new[] { conversationId, missingId })
        {
            var answers = new[]
            {
                await bob.GetAsync($"/conversations/{id}"),
                await bob.GetAsync($"/conversations/{id}/messages"),
                await bob.GetAsync($"/conversations/{id}/events?after=0", HttpCompletionOption.ResponseHeadersRead),
                await bob.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "hi" }),
                await bob.PostAsync($"/conversations/{id}/cancel", null),
                await bob.GetAsync($"/conversations/{id}/approvals"),
                await bob.PostAsJsonAsync($"/conversations/{id}/approvals/appr-1", new { decision = "once" }),
                await bob.PatchAsJsonAsync($"/conversations/{id}", new { permissions = new { } }),
                await bob.DeleteAsync($"/conversations/{id}"),
            };

            foreach (var answer in answers)
            {
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                var problem = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
                // The same answer as for an id that never existed: nothing to tell the two apart.
                Assert.Equal($"Conversation '{id}' was not found.", problem["detail"]!.GetValue<string>());
            }
        }

        var listed = (await bob.GetFromJsonAsync<JsonObject>("/conversations"))!["conversations"]!.AsArray();
        Assert.DoesNotContain(listed, c => c!["id"]!.GetValue<string>() == conversationId);
        var history = (await alice.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}/messages"))!["messages"]!.AsArray();
        Assert.Equal(2, history.Count); // bob's attempts changed nothing
    }

    [Fact]
    public async Task Another_callers_conversation_is_not_found_over_the_websocket()
    {
        var agentId = await fixture.CreateAgentAsync();
        using var alice = fixture.As("alice-ws", roles: "user");
        var conversationId = await fixture.CreateConversationAsync(alice, agentId);
        await using var bob = await fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + fixture.Token("bob-ws", roles: ["admin"])));

        var answers = new[]
        {
            await bob.RequestAsync("conversations.subscribe", new { conversationId }),
            await bob.RequestAsync("messages.send", new { conversationId, message = "hi" }),
            await bob.RequestAsync("conversations.cancel", new { conversationId }),
            await bob.RequestAsync("approvals.reply", new { conversationId, approvalId = "appr-1", decision = "once" }),
        };

        foreach (var answer in answers)
        {
            Assert.Equal("conversation_not_found", answer["error"]!["data"]!["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Agents_of_another_tenant_are_not_found()
    {
        using var acmeDeveloper = fixture.As("dev-acme", roles: "developer");
        using var globexAdmin = fixture.As("admin-globex", "globex", "admin");
        var agentId = await fixture.CreateAgentAsync(acmeDeveloper);

        Assert.Equal(HttpStatusCode.NotFound, (await globexAdmin.GetAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexAdmin.DeleteAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexAdmin.PostAsJsonAsync("/conversations", new { agentId })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acmeDeveloper.GetAsync($"/agents/{agentId}")).StatusCode);
    }
}
