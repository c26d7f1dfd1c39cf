using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Streaming;

namespace OpenCode.Gateway.Tests.Security;

[Collection(SecureGatewayCollection.Name)]
public sealed class ApiKeyTests(SecureGatewayFixture fixture)
{
    [Fact]
    public async Task An_issued_key_is_shown_once_works_and_stops_working_the_moment_it_is_revoked()
    {
        var (key, id) = await fixture.IssueKeyAsync("ci-bot", roles: "developer");
        Assert.StartsWith("oc_", key, StringComparison.Ordinal);
        using var bot = fixture.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/agents")).StatusCode);

        var list = await fixture.Admin.GetStringAsync("/admin/api-keys");
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        Assert.DoesNotContain(key[3..20], list, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/admin/api-keys/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.GetAsync("/agents")).StatusCode);
        var revoked = (await fixture.Admin.GetFromJsonAsync<JsonObject>("/admin/api-keys"))!["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<string>() == id)!;
        Assert.NotNull(revoked["revokedAt"]);

        // Both are in the audit log, by the key's id and never the key.
        foreach (var action in new[] { "apikey.issued", "apikey.revoked" })
        {
            var audit = await fixture.Admin.GetStringAsync($"/admin/audit?action={action}");
            Assert.DoesNotContain(key, audit, StringComparison.Ordinal);
            var entry = JsonNode.Parse(audit)!["entries"]!.AsArray().Single(e => e!["resourceId"]!.GetValue<string>() == id)!;
            Assert.Equal("bootstrap-admin", entry["actor"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_bearer_header_carries_a_key_too()
    {
        var (key, _) = await fixture.IssueKeyAsync("bearer-bot", roles: "user");
        using var client = fixture.ClientWithToken(key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/conversations")).StatusCode);
    }

    [Fact]
    public async Task A_key_acts_in_its_tenant_as_its_user_with_its_roles()
    {
        var (key, _) = await fixture.IssueKeyAsync("globex-user", "globex", "user");
        using var client = fixture.ClientWithKey(key);
        var acmeAgent = await fixture.CreateAgentAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/agents/{acmeAgent}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/agents", new { name = "x", model = new { provider = "openai", name = "m" } })).StatusCode);
        var keys = await fixture.Admin.GetFromJsonAsync<JsonObject>("/admin/api-keys?tenant=globex");
        Assert.Contains(keys!["keys"]!.AsArray(), k => k!["name"]!.GetValue<string>() == "globex-user" && k["user"]!.GetValue<string>() == "globex-user");
    }

    [Fact]
    public async Task Bad_key_requests_are_validation_problems_and_unknown_ids_are_not_found()
    {
        var response = await fixture.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "", tenant = "a/b", roles = new[] { "emperor" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name") && errors.ContainsKey("tenant") && errors.ContainsKey("roles"), errors.ToJsonString());
        var missing = await fixture.Admin.DeleteAsync("/admin/api-keys/key-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("api_key_not_found", (await missing.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_open_websocket_closes_when_its_key_is_revoked()
    {
        var (key, id) = await fixture.IssueKeyAsync("ws-bot", roles: "user");
        await using var socket = await fixture.ConnectAsync(o => o.SetRequestHeader("X-API-Key", key));
        Assert.NotNull((await socket.RequestAsync("agents.list"))["result"]);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/admin/api-keys/{id}")).StatusCode);

        // The next request finds the key revoked at once; a listening socket would find out within the check interval.
        await socket.SendTextAsync("""{"type":"request","id":"after","method":"agents.list"}""");
        // Well within the 10 s periodic check: the request itself found the key revoked.
        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Equal("API key revoked", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task An_open_event_stream_ends_when_its_key_is_revoked()
    {
        var (key, id) = await fixture.IssueKeyAsync("sse-bot", roles: "user");
        using var bot = fixture.ClientWithKey(key);
        var conversation = await fixture.CreateConversationAsync(bot, await fixture.CreateAgentAsync());
        using var response = await EventStreams.GetEventsAsync(bot, conversation);
        using var reader = await EventStreams.ReaderAsync(response);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/admin/api-keys/{id}")).StatusCode);

        // Idle, the stream finds out at its next heartbeat (15 s); it says why, then ends.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Null(await reader.ReadAsync(deadline.Token));
        Assert.Contains("unauthorized: API key revoked", reader.Comments);
        using var reconnect = await EventStreams.GetEventsAsync(bot, conversation, lastEventId: reader.LastEventId);
        Assert.Equal(HttpStatusCode.Unauthorized, reconnect.StatusCode);
    }

    [Fact]
    public async Task A_listening_websocket_closes_within_the_check_interval_when_its_key_is_revoked()
    {
        var (key, id) = await fixture.IssueKeyAsync("ws-listener", roles: "user");
        await using var socket = await fixture.ConnectAsync(o => o.SetRequestHeader("X-API-Key", key));

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/admin/api-keys/{id}")).StatusCode);

        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }
}
