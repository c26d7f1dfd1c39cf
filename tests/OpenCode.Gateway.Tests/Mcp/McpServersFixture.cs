using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Mcp;

/// <summary>
/// A gateway of its own for MCP server configuration: secrets in <c>Secrets__…</c>, a WebSocket server declared in
/// <c>MCP_SERVERS</c>, an OAuth 2.0-protected server declared in <c>Mcp__Servers__secured__…</c>, and a server that
/// demands a bearer token for agents to point at. Logs at Debug, so tests can check that no secret is written.
/// </summary>
public sealed class McpServersFixture : IAsyncLifetime
{
    public const string BearerRef = "mcp-bearer";
    public const string BearerToken = "gw-bearer-9e8d7c-secret";
    public const string ClientSecretRef = "oauth-client-secret";
    public const string ClientId = "gateway-client";
    public const string ClientSecret = "gw-client-1a2b3c-secret";

    public FakeModelServer Model { get; private set; } = null!;

    /// <summary>Open to anyone; the operator's <c>files</c> server (over its WebSocket endpoint).</summary>
    public TestMcpHttpServer Open { get; private set; } = null!;

    /// <summary>Demands <see cref="BearerToken"/>.</summary>
    public TestMcpHttpServer Bearer { get; private set; } = null!;

    public TestOAuth2Server Issuer { get; private set; } = null!;

    /// <summary>Demands a token from <see cref="Issuer"/>; the operator's <c>secured</c> server.</summary>
    public TestMcpHttpServer OAuth2 { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Open = await TestMcpHttpServer.StartAsync();
        Bearer = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.Bearer(BearerToken));
        Issuer = await TestOAuth2Server.StartAsync(ClientId, ClientSecret);
        OAuth2 = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(Issuer));
        Gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Debug",
            [$"Secrets__{BearerRef}"] = BearerToken,
            [$"Secrets__{ClientSecretRef}"] = ClientSecret,
            ["MCP_SERVERS"] = $"files:{Open.WebSocketUrl}",
            ["Mcp__Servers__secured__url"] = OAuth2.WebSocketUrl.ToString(),
            ["Mcp__Servers__secured__auth__type"] = "oauth2",
            ["Mcp__Servers__secured__auth__tokenUrl"] = Issuer.TokenUrl.ToString(),
            ["Mcp__Servers__secured__auth__clientId"] = ClientId,
            ["Mcp__Servers__secured__auth__clientSecretRef"] = ClientSecretRef,
            ["Mcp__Servers__secured__auth__scopes__0"] = "mcp:tools",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OAuth2.DisposeAsync();
        await Issuer.DisposeAsync();
        await Bearer.DisposeAsync();
        await Open.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>Creates an agent with these MCP <paramref name="servers"/> (JSON array items) and a model name of its own.</summary>
    public async Task<(string AgentId, string Model)> CreateAgentAsync(string servers, HttpClient? client = null)
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var model = "model-" + id;
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "MCP agent",
              "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{Model.BaseUrl}}" },
              "mcp": { "servers": [ {{servers}} ] } }
            """);
        var response = await (client ?? Client).PostAsJsonAsync("/agents", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (id, model);
    }

    public async Task<string> CreateConversationAsync(string agentId, HttpClient? client = null)
    {
        var response = await (client ?? Client).PostAsJsonAsync("/conversations", new { agentId });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}

[CollectionDefinition(Name)]
public sealed class McpServersCollection : ICollectionFixture<McpServersFixture>
{
    public const string Name = "gateway with MCP servers";
}
