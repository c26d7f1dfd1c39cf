using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenCode.Gateway.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class AgentsApiTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Requirements_config_format_is_accepted_and_answered_in_camel_case()
    {
        var id = "req-" + Guid.NewGuid().ToString("N")[..8];
        var response = await Client.PostAsync("/agents", Json($$"""
            { "agent": {
                "id": "{{id}}", "name": "OpenCode Assistant", "instructions": "You are a helpful assistant.",
                "capabilities": { "tools": ["filesystem_*"], "languages": ["python"], "frameworks": [] },
                "model": { "provider": "openai", "name": "gpt-4o-mini", "temperature": 0.7, "max_tokens": 4096,
                           "endpoint": "http://127.0.0.1:6556/v1", "contextWindow": 128000,
                           "fallbacks": [ { "provider": "ollama", "name": "llama3.1" } ] },
                "mcp": { "servers": [ { "name": "everything", "command": "node", "args": ["server.js"], "env": {} },
                                      { "name": "remote", "url": "https://example.org/mcp", "transport": "streamable-http",
                                        "auth": { "type": "bearer", "tokenRef": "secret-name" } } ] },
                "permissions": { "everything_*": "allow", "filesystem_write_*": "ask", "*": "deny" },
                "limits": { "maxSteps": 20, "maxToolCallsPerTurn": 50, "turnTimeoutSeconds": 600 },
                "busyPolicy": "reject" } }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/agents/{id}", response.Headers.Location?.OriginalString);
        var agent = await ReadAsync(response);
        Assert.Equal(id, (string?)agent["id"]);
        Assert.Equal(1, (int?)agent["version"]);
        Assert.Equal(4096, (int?)agent["config"]!["model"]!["maxTokens"]);
        Assert.Equal("ask", (string?)agent["config"]!["permissions"]!["filesystem_write_*"]);
        Assert.Equal("secret-name", (string?)agent["config"]!["mcp"]!["servers"]![1]!["auth"]!["tokenRef"]);
    }

    [Fact]
    public async Task Update_writes_a_new_version_and_get_returns_it()
    {
        var (id, model) = await fixture.CreateAgentAsync();

        var updated = await Client.PutAsync($"/agents/{id}", Json($$"""
            { "name": "Renamed", "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{fixture.Model.BaseUrl}}" } }
            """));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, (int?)(await ReadAsync(updated))["version"]);

        var current = await ReadAsync(await Client.GetAsync($"/agents/{id}"));
        Assert.Equal("Renamed", (string?)current["name"]);
        Assert.Equal(2, (int?)current["version"]);

        var list = await ReadAsync(await Client.GetAsync("/agents"));
        Assert.Contains(list["agents"]!.AsArray(), a => (string?)a!["id"] == id && (string?)a["name"] == "Renamed");
    }

    [Fact]
    public async Task Delete_removes_the_agent()
    {
        var (id, _) = await fixture.CreateAgentAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/agents/{id}")).StatusCode);

        await AssertProblemAsync(await Client.GetAsync($"/agents/{id}"), HttpStatusCode.NotFound, "agent_not_found");
        await AssertProblemAsync(await Client.DeleteAsync($"/agents/{id}"), HttpStatusCode.NotFound, "agent_not_found");
        var list = await ReadAsync(await Client.GetAsync("/agents"));
        Assert.DoesNotContain(list["agents"]!.AsArray(), a => (string?)a!["id"] == id);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_a_conflict()
    {
        var (id, model) = await fixture.CreateAgentAsync();

        var again = await Client.PostAsync("/agents", Json($$"""{ "id": "{{id}}", "name": "x", "model": { "provider": "openai", "name": "{{model}}" } }"""));

        await AssertProblemAsync(again, HttpStatusCode.Conflict, "agent_exists");
    }

    [Fact]
    public async Task Operator_declared_agents_exist_at_start()
    {
        var fromSection = await ReadAsync(await Client.GetAsync($"/agents/{GatewayFixture.DefaultAgentId}"));
        Assert.Equal("Default", (string?)fromSection["name"]);
        Assert.Equal(0.5, (double?)fromSection["config"]!["model"]!["temperature"]);

        var fromFile = await ReadAsync(await Client.GetAsync($"/agents/{GatewayFixture.FileAgentId}"));
        Assert.Equal("From a file", (string?)fromFile["name"]);
        Assert.Equal(512, (int?)fromFile["config"]!["model"]!["maxTokens"]);
    }

    [Theory]
    [InlineData("""{ "name": "", "model": { "provider": "openai", "name": "m" } }""", "name")]
    [InlineData("""{ "name": "a", "model": { "provider": "nope", "name": "m" } }""", "model.provider")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "temperature": 2.5 } }""", "model.temperature")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "temperature": -0.1 } }""", "model.temperature")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "max_tokens": 0 } }""", "model.max_tokens")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "" } }""", "model.name")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "endpoint": "not a url" } }""", "model.endpoint")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "permissions": { "x_*": "sometimes" } }""", "permissions.x_*")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "command": "node", "url": "http://127.0.0.1:1/mcp" } ] } }""", "mcp.servers[0]")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "ftp://x/mcp" } ] } }""", "mcp.servers[0].url")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "", "command": "node" } ] } }""", "mcp.servers[0].name")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "unknown-operator-server" } ] } }""", "mcp.servers[0].name")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "http://127.0.0.1:1/mcp", "auth": { "type": "bearer" } } ] } }""", "mcp.servers[0].auth.tokenRef")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "ws://127.0.0.1:1/ws", "auth": { "type": "basic", "tokenRef": "t" } } ] } }""", "mcp.servers[0].auth.type")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "ws://127.0.0.1:1/ws", "auth": { "type": "api_key" } } ] } }""", "mcp.servers[0].auth.keyRef")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "ws://127.0.0.1:1/ws", "auth": { "type": "api_key", "keyRef": "k", "header": "X Key" } } ] } }""", "mcp.servers[0].auth.header")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "https://x/mcp", "auth": { "type": "oauth2", "clientId": "c", "clientSecretRef": "r" } } ] } }""", "mcp.servers[0].auth.tokenUrl")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "https://x/mcp", "auth": { "type": "oauth2", "tokenUrl": "https://x/token", "clientSecretRef": "r" } } ] } }""", "mcp.servers[0].auth.clientId")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "https://x/mcp", "auth": { "type": "oauth2", "tokenUrl": "https://x/token", "clientId": "c" } } ] } }""", "mcp.servers[0].auth.clientSecretRef")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "https://x/mcp", "auth": { "type": "oauth2", "tokenUrl": "https://x/token", "clientId": "c", "clientSecretRef": "r", "scopes": ["a b"] } } ] } }""", "mcp.servers[0].auth.scopes[0]")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "command": "node", "auth": { "type": "bearer", "tokenRef": "t" } } ] } }""", "mcp.servers[0].auth")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "http://127.0.0.1:1/mcp", "transport": "websocket" } ] } }""", "mcp.servers[0].transport")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "limits": { "maxSteps": 0 } }""", "limits.maxSteps")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "busyPolicy": "queue-forever" }""", "busyPolicy")]
    [InlineData("""{ "id": "bad/id", "name": "a", "model": { "provider": "openai", "name": "m" } }""", "id")]
    public async Task Invalid_config_is_a_validation_problem_naming_the_field(string body, string field)
    {
        var response = await Client.PostAsync("/agents", Json(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem["errors"]?.AsObject().ContainsKey(field), $"errors should name '{field}': {problem}");
    }

    [Theory]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "endpoint": "http://169.254.169.254/latest" } }""", "model.endpoint")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m", "fallbacks": [ { "provider": "ollama", "name": "x", "endpoint": "http://[::ffff:a9fe:a9fe]/" } ] } }""", "model.fallbacks[0].endpoint")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "http://2852039166/latest" } ] } }""", "mcp.servers[0].url")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "https://internal.example.net/mcp" } ] } }""", "mcp.servers[0].url")]
    [InlineData("""{ "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "s", "url": "http://127.0.0.1:1/mcp", "auth": { "type": "oauth2", "tokenUrl": "http://169.254.169.254/token", "clientId": "c", "clientSecretRef": "r" } } ] } }""", "mcp.servers[0].auth.tokenUrl")]
    public async Task An_endpoint_outside_the_allow_list_is_refused_naming_the_field(string body, string field)
    {
        var response = await Client.PostAsync("/agents", Json(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "endpoint_not_allowed");
        Assert.True(problem["errors"]?.AsObject().ContainsKey(field), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task A_config_with_broken_rules_and_a_refused_endpoint_is_a_validation_problem_naming_both()
    {
        var response = await Client.PostAsync("/agents", Json("""
            { "name": "a", "model": { "provider": "openai", "name": "m", "temperature": 9, "endpoint": "http://169.254.169.254/" } }
            """));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("model.temperature"), problem.ToJsonString());
        Assert.True(problem["errors"]!.AsObject().ContainsKey("model.endpoint"), problem.ToJsonString());
    }

    [Fact]
    public async Task Without_authentication_loopback_endpoints_and_local_commands_are_allowed_by_default()
    {
        var (id, _) = await fixture.CreateAgentAsync($$"""
            { "mcp": { "servers": [ { "name": "local", "url": "http://localhost:{{fixture.Gateway.BaseUrl.Port}}/mcp" },
                                    { "name": "socket", "url": "ws://[::1]:3000/filesystem" },
                                    { "name": "everything", "command": "node", "args": ["server.js"] },
                                    { "name": "shell", "command": "/bin/sh" } ] } }
            """);

        Assert.Equal(1, (int?)(await ReadAsync(await Client.GetAsync($"/agents/{id}")))["version"]);
    }

    [Fact]
    public async Task Mcp_server_environment_values_are_write_only()
    {
        var (id, _) = await fixture.CreateAgentAsync("""
            { "mcp": { "servers": [ { "name": "gh", "command": "node", "args": ["server.js"], "env": { "GITHUB_TOKEN": "ghp_secret123" } } ] } }
            """);

        var body = await Client.GetStringAsync($"/agents/{id}");

        Assert.DoesNotContain("ghp_secret123", body, StringComparison.Ordinal);
        Assert.Contains("\"GITHUB_TOKEN\":\"***\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_name_is_a_validation_problem()
    {
        var response = await Client.PostAsync("/agents", Json("""{ "name": null, "model": { "provider": "openai", "name": "m" } }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["name"]);
    }

    [Fact]
    public async Task Unknown_fields_are_refused()
    {
        var response = await Client.PostAsync("/agents", Json("""{ "name": "a", "model": { "provider": "openai", "name": "m", "max_token": 5 } }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("max_token", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Text_that_is_not_valid_unicode_is_a_validation_problem()
    {
        var response = await Client.PostAsync("/agents", Json("""{ "name": "a\ud800", "model": { "provider": "openai", "name": "m" } }"""));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Wrong_types_are_a_clear_bad_request()
    {
        var response = await Client.PostAsync("/agents", Json("""{ "name": "a", "model": { "provider": "openai", "name": "m", "temperature": "hot" } }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("temperature", (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_running_conversation_keeps_the_agent_version_it_started_with()
    {
        // Over HTTP the conversation is still active; the reactivated case (version read back from storage)
        // is ConversationGrainTests.A_conversation_keeps_its_agent_version_after_the_agent_changes_and_it_reactivates.
        var (id, model) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(id);
        await Client.PutAsync($"/agents/{id}", Json($$"""
            { "name": "v2", "instructions": "Version two.", "model": { "provider": "openai", "name": "{{model}}-v2", "endpoint": "{{fixture.Model.BaseUrl}}" } }
            """));

        var reply = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "which version?" });

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var info = await ReadAsync(await Client.GetAsync($"/conversations/{conversation}"));
        Assert.Equal(1, (int?)info["agentVersion"]);
        var request = fixture.Model.Requests.Last(r => r.LastUserMessage == "which version?");
        Assert.Equal(model, request.Model);
        Assert.Equal("Be brief.", request.Messages[0].Content);
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    internal static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal((int)status, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        return problem;
    }
}
