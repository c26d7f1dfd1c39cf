using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Streaming;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// A scripted session with every kind of credential — the bootstrap admin key, an issued key, JWTs (good and
/// expired), the JWT signing key, the model provider's key, a WebSocket ticket — then a search of everything the server
/// said: its logs, every API answer, SSE events and WebSocket frames, and what it exported to an OpenTelemetry
/// collector. No credential may appear in any of them, nor the personal data of the session in the traces.
/// </summary>
public sealed class SecretLeakTests(TracedSecureGatewayFixture fixture) : IClassFixture<TracedSecureGatewayFixture>
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task No_credential_appears_in_logs_answers_events_or_traces_after_a_scripted_session()
    {
        var said = new StringBuilder();
        async Task<string> Record(Task<HttpResponseMessage> request)
        {
            var response = await request;
            var body = await response.Content.ReadAsStringAsync();
            said.AppendLine(response.Headers.ToString()).AppendLine(body);
            return body;
        }

        var (issuedKey, issuedId) = await fixture.IssueKeyAsync("leak-bot", roles: "developer");
        // The user is named by an e-mail address: it is part of their conversations' grain ids, which Orleans traces.
        var email = $"leaky.{Guid.NewGuid():N}@example.com";
        var token = fixture.Token(email, roles: ["developer"]);
        var expired = fixture.Token(email, roles: ["developer"], expires: DateTime.UtcNow.AddMinutes(-5));
        using var bot = fixture.ClientWithKey(issuedKey);
        using var user = fixture.ClientWithToken(token);
        using var stale = fixture.ClientWithToken(expired);
        using var wrongKey = fixture.ClientWithKey(issuedKey + "x");

        var agentId = await fixture.CreateAgentAsync(bot);
        var conversationId = await fixture.CreateConversationAsync(user, agentId);
        // A key the user pastes stays theirs (their history keeps it) but is masked before it goes to the model.
        var pasted = "sk-pasted" + Guid.NewGuid().ToString("N");
        var contact = $"jane.{Guid.NewGuid():N}@example.org";
        await Record(user.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = $"my key is {pasted}, mail {contact}" }));
        using (var stream = await EventStreams.GetEventsAsync(user, conversationId, "?after=0"))
        {
            var reader = await EventStreams.ReaderAsync(stream);
            foreach (var e in await EventStreams.ReadUntilAsync(reader, EventStreams.IsTerminal))
            {
                said.AppendLine(e.Data);
            }
        }

        await using (var socket = await fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + token)))
        {
            said.AppendLine((await socket.RequestAsync("conversations.subscribe", new { conversationId, after = 0 })).ToJsonString());
            said.AppendLine((await socket.NextEventAsync()).ToJsonString());
            said.AppendLine((await socket.RequestAsync("agents.get", new { agentId })).ToJsonString());
        }

        // A ticket is a credential until it is redeemed: its answer is not searched, everything after it is.
        var ticket = (await (await user.PostAsync("/ws/ticket", null)).Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();
        await using (var socket = await fixture.ConnectAsync(_ => { }, $"ticket={Uri.EscapeDataString(ticket)}"))
        {
            said.AppendLine((await socket.RequestAsync("agents.get", new { agentId })).ToJsonString());
        }

        await Record(stale.GetAsync("/agents"));
        await Record(wrongKey.GetAsync("/agents"));
        await Record(bot.GetAsync($"/agents/{agentId}"));
        await Record(user.GetAsync($"/conversations/{conversationId}/messages"));
        await Record(fixture.Admin.GetAsync("/admin/api-keys"));
        await Record(fixture.Admin.GetAsync("/admin/audit"));
        await Record(fixture.Admin.DeleteAsync($"/admin/api-keys/{issuedId}"));
        await Record(bot.GetAsync("/agents"));
        await Record(fixture.Anonymous.GetAsync("/openapi/v1.json"));

        // The provider key did its job: the model got it, and only the model.
        Assert.Contains(fixture.Model.Requests, r => r.Authorization == "Bearer " + fixture.ProviderKey);
        Assert.DoesNotContain(fixture.Model.Requests, r => r.Body.Contains(pasted, StringComparison.Ordinal));
        Assert.Contains(fixture.Model.Requests, r => r.Model == $"model-{agentId}" && r.LastUserMessage == "my key is [secret], mail [email]");
        var logs = fixture.Gateway.Output;
        Assert.Contains("leak-bot", said.ToString(), StringComparison.Ordinal); // the search covers real answers
        // The traces cover the session: its last request, and the grain calls.
        await fixture.Collector.WaitForAsync("traces", ExportTimeout, "/openapi/v1.json");
        await fixture.Collector.WaitForAsync("traces", ExportTimeout, "ConversationGrain");
        await fixture.Collector.WaitForAsync("traces", ExportTimeout, "WebSocketTicketGrain");
        foreach (var (name, secret) in new[]
        {
            ("admin key", fixture.AdminKey), ("issued key", issuedKey), ("JWT", token), ("expired JWT", expired),
            ("JWT signature", token.Split('.')[2]), ("signing key", fixture.SigningKey), ("provider key", fixture.ProviderKey),
            ("WebSocket ticket", ticket),
        })
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"the {name} is in the gateway's logs");
            Assert.False(said.ToString().Contains(secret, StringComparison.Ordinal), $"the {name} is in an answer or event");
            Assert.False(fixture.Collector.Holds(secret), $"the {name} was exported to the collector");
        }

        Assert.False(logs.Contains(pasted, StringComparison.Ordinal), "the pasted key is in the gateway's logs");
        Assert.False(fixture.Collector.Holds(pasted), "the pasted key was exported to the collector");
        Assert.False(fixture.Collector.Holds(email, "traces"), "the user's e-mail address is in the traces");
        Assert.False(fixture.Collector.Holds(contact, "traces"), "the e-mail address in the message is in the traces");
        Assert.True(fixture.Collector.Holds($"acme/{MaskTokens.Email}/", "traces"), "no grain id with the owner's name masked was traced");
    }
}
