using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// SSRF attempts through agent configurations against a gateway with an authenticated deployment's policy: only
/// what <c>Security:AllowedEndpoints</c> and <c>Security:AllowedCommands</c> list is accepted, and a listed server
/// cannot redirect the gateway elsewhere.
/// </summary>
[Collection(AllowListGatewayCollection.Name)]
public sealed class AllowListTests(AllowListGatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task The_cloud_metadata_address_is_refused_as_a_model_endpoint()
    {
        var response = await Client.PostAsync("/agents", Json("""
            { "name": "a", "model": { "provider": "openai", "name": "m", "endpoint": "http://169.254.169.254/latest" } }
            """));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "endpoint_not_allowed");
        Assert.Contains("link-local", (string?)problem["errors"]!["model.endpoint"]![0]);
    }

    [Theory]
    [InlineData("http://localhost:{0}/admin")]
    [InlineData("http://127.0.0.1:{0}/admin")]
    [InlineData("http://0x7f.1:{0}/admin")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/admin")]
    [InlineData("ws://localhost.:{0}/ws")]
    public async Task The_gateways_own_port_is_refused_as_an_mcp_server(string url)
    {
        var own = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, fixture.Gateway.BaseUrl.Port);

        var response = await Client.PostAsync("/agents", Json($$"""
            { "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "admin", "url": "{{own}}" } ] } }
            """));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "endpoint_not_allowed");
        Assert.True(problem["errors"]?.AsObject().ContainsKey("mcp.servers[0].url"), problem.ToJsonString());
    }

    [Fact]
    public async Task Only_listed_commands_start_stdio_servers()
    {
        var shell = await Client.PostAsync("/agents", Json("""
            { "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "sh", "command": "/bin/sh", "args": ["-c", "id"] } ] } }
            """));
        var node = await Client.PostAsync("/agents", Json("""
            { "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "everything", "command": "node", "args": ["server.js"] } ] } }
            """));

        var problem = await AssertProblemAsync(shell, HttpStatusCode.BadRequest, "endpoint_not_allowed");
        Assert.Contains("Security:AllowedCommands", (string?)problem["errors"]!["mcp.servers[0].command"]![0]);
        Assert.Equal(HttpStatusCode.Created, node.StatusCode);
    }

    [Fact]
    public async Task The_websocket_api_refuses_the_same_way()
    {
        await using var ws = await WebSocketJsonClient.ConnectAsync(fixture.Gateway.BaseUrl);

        var response = await ws.RequestAsync("agents.create", JsonNode.Parse("""
            { "name": "a", "model": { "provider": "openai", "name": "m" }, "mcp": { "servers": [ { "name": "sh", "command": "/bin/sh" } ] } }
            """));

        var error = response["error"]!.AsObject();
        Assert.Equal(-32602, (int?)error["code"]);
        Assert.Equal("endpoint_not_allowed", (string?)error["data"]?["code"]);
        Assert.Contains("mcp.servers[0].command", (string?)error["message"]);
    }

    [Fact]
    public async Task A_listed_model_that_redirects_to_the_metadata_address_fails_as_a_model_error()
    {
        var agent = await CreateAgentAsync($$"""{ "provider": "openai", "name": "m", "endpoint": "{{fixture.Redirector.BaseUrl}}v1" }""");
        var conversation = await CreateConversationAsync(agent);
        var before = fixture.Redirector.Requests;

        var failed = await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "hello" });

        var problem = await AssertProblemAsync(failed, HttpStatusCode.BadGateway, "model_error");
        Assert.Contains("302", (string?)problem["detail"]);
        Assert.True(fixture.Redirector.Requests > before);
    }

    [Fact]
    public async Task A_listed_mcp_server_that_redirects_to_the_metadata_address_is_reported_as_a_server_problem()
    {
        var agent = await CreateAgentAsync(
            $$"""{ "provider": "openai", "name": "m", "endpoint": "{{fixture.Model.BaseUrl}}" }""",
            $$"""[ { "name": "moved", "url": "{{fixture.Redirector.BaseUrl}}mcp", "timeoutSeconds": 10 } ]""");

        var tools = await ReadAsync(await Client.GetAsync($"/agents/{agent}/tools"));

        Assert.Empty(tools["tools"]!.AsArray());
        var problem = Assert.Single(tools["errors"]!.AsArray());
        Assert.Equal("moved", (string?)problem!["server"]);
        Assert.Contains("302", (string?)problem["error"]);
    }

    private async Task<string> CreateAgentAsync(string model, string servers = "[]")
    {
        var response = await Client.PostAsync("/agents", Json($$"""{ "name": "redirected", "model": {{model}}, "mcp": { "servers": {{servers}} } }"""));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await ReadAsync(response))["id"]!;
    }

    private async Task<string> CreateConversationAsync(string agentId)
    {
        var response = await Client.PostAsJsonAsync("/conversations", new { agentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await ReadAsync(response))["id"]!;
    }
}
