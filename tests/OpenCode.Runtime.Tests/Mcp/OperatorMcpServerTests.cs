using Microsoft.Extensions.Configuration;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Tools;
using OpenCode.Testing;
using OpenCode.Runtime.Tests.Security;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// Servers declared in the gateway configuration (<c>Mcp:Servers:&lt;name&gt;</c>, <c>MCP_SERVERS</c>) and referenced
/// from an agent by name alone, resolved and then used through the connection grain.
/// </summary>
[Collection(McpClusterCollection.Name)]
public sealed class OperatorMcpServerTests(McpCluster mcp)
{
    [Fact]
    public void Mcp_servers_shorthand_declares_websocket_servers_by_name()
    {
        var resolver = Resolver(new() { ["MCP_SERVERS"] = "filesystem:ws://host:3000,database:ws://host:3001/db" });

        var (filesystem, _) = resolver.Resolve(new McpServerConfig { Name = "filesystem" });
        var (database, _) = resolver.Resolve(new McpServerConfig { Name = "database" });

        Assert.Equal(McpServerSpec.WebSocket("filesystem", "ws://host:3000"), filesystem);
        Assert.Equal(McpServerSpec.WebSocket("database", "ws://host:3001/db"), database);
    }

    [Fact]
    public void A_configuration_section_declares_the_transport_timeout_and_auth()
    {
        var resolver = Resolver(new()
        {
            ["Mcp:Servers:remote:url"] = "https://mcp.example.org/mcp",
            ["Mcp:Servers:remote:transport"] = "sse",
            ["Mcp:Servers:remote:timeoutSeconds"] = "15",
            ["Mcp:Servers:remote:auth:type"] = "oauth2",
            ["Mcp:Servers:remote:auth:tokenUrl"] = "https://login.example.org/token",
            ["Mcp:Servers:remote:auth:clientId"] = "gateway",
            ["Mcp:Servers:remote:auth:clientSecretRef"] = "remote-secret",
            ["Mcp:Servers:remote:auth:scopes:0"] = "mcp",
        });

        var (spec, error) = resolver.Resolve(new McpServerConfig { Name = "remote" });

        Assert.Null(error);
        var expected = McpServerSpec.Http("remote", "https://mcp.example.org/mcp", McpTransport.Sse, 15, new McpAuthConfig
        {
            Type = "oauth2",
            TokenUrl = "https://login.example.org/token",
            ClientId = "gateway",
            ClientSecretRef = "remote-secret",
            Scopes = ["mcp"],
        });
        Assert.Equal(expected, spec);
    }

    [Fact]
    public void An_agent_entry_with_only_a_name_is_valid_when_the_operator_declared_it_and_a_400_otherwise()
    {
        var configuration = new Dictionary<string, string?> { ["MCP_SERVERS"] = "filesystem:ws://host:3000" };
        var validator = new AgentConfigValidator(new OperatorMcpServers(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build()), TestEndpointPolicies.Create());
        AgentConfig Agent(string server) => new()
        {
            Name = "a",
            Model = new ModelConfig { Provider = "openai", Name = "m" },
            Mcp = new McpConfig { Servers = [new McpServerConfig { Name = server }] },
        };

        Assert.Empty(validator.Validate(Agent("filesystem")));
        Assert.Equal("mcp.servers[0].name", Assert.Single(validator.Validate(Agent("database"))).Field);
    }

    [Fact]
    public async Task An_operator_websocket_server_from_mcp_servers_is_used_by_name()
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var resolver = Resolver(new() { ["MCP_SERVERS"] = $"files:{server.WebSocketUrl},other:ws://127.0.0.1:1/ws" });

        var (spec, error) = resolver.Resolve(new McpServerConfig { Name = "files" });
        var echo = await mcp.Connection(spec!).CallToolAsync(spec!, "echo", """{"message":"by name"}""");

        Assert.Null(error);
        Assert.Equal(McpTransport.WebSocket, spec!.Transport);
        Assert.Equal(new McpToolResult(false, "by name"), echo);
    }

    [Theory]
    [InlineData("streamable-http")]
    [InlineData("websocket")]
    public async Task An_operator_server_with_oauth2_auth_is_used_by_name(string transport)
    {
        await using var issuer = await TestOAuth2Server.StartAsync(McpTestSecrets.ClientId, McpTestSecrets.ClientSecret);
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(issuer));
        var url = transport == "websocket" ? server.WebSocketUrl : server.StreamableHttpUrl;
        var resolver = Resolver(new()
        {
            ["Mcp:Servers:secured:url"] = url.ToString(),
            ["Mcp:Servers:secured:transport"] = transport,
            ["Mcp:Servers:secured:auth:type"] = "oauth2",
            ["Mcp:Servers:secured:auth:tokenUrl"] = issuer.TokenUrl.ToString(),
            ["Mcp:Servers:secured:auth:clientId"] = McpTestSecrets.ClientId,
            ["Mcp:Servers:secured:auth:clientSecretRef"] = McpTestSecrets.ClientSecretRef,
        });

        var (spec, error) = resolver.Resolve(new McpServerConfig { Name = "secured" });
        var tools = await mcp.Connection(spec!).ListToolsAsync(spec!);
        var add = await mcp.Connection(spec!).CallToolAsync(spec!, "add", """{"a":1,"b":2}""");

        Assert.Null(error);
        Assert.Contains(tools, t => t.QualifiedName == "secured_add");
        Assert.Equal(new McpToolResult(false, "3"), add);
        Assert.Equal(1, issuer.TokenRequests);
    }

    [Fact]
    public async Task An_operator_server_with_an_api_key_is_used_by_name()
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.ApiKey(McpTestSecrets.ApiKey));
        var resolver = Resolver(new()
        {
            ["Mcp:Servers:keyed:url"] = server.WebSocketUrl.ToString(),
            ["Mcp:Servers:keyed:auth:type"] = "api_key",
            ["Mcp:Servers:keyed:auth:keyRef"] = McpTestSecrets.ApiKeyRef,
        });

        var (spec, _) = resolver.Resolve(new McpServerConfig { Name = "keyed" });
        var echo = await mcp.Connection(spec!).CallToolAsync(spec!, "echo", """{"message":"keyed by name"}""");

        Assert.Equal(new McpToolResult(false, "keyed by name"), echo);
    }

    [Fact]
    public void An_operator_stdio_server_with_auth_is_refused_with_a_reason()
    {
        var resolver = Resolver(new()
        {
            ["Mcp:Servers:local:command"] = "node",
            ["Mcp:Servers:local:auth:type"] = "bearer",
            ["Mcp:Servers:local:auth:tokenRef"] = "x",
        });

        var (spec, error) = resolver.Resolve(new McpServerConfig { Name = "local" });

        Assert.Null(spec);
        Assert.Contains("stdio server takes no 'auth'", error);
    }

    private static McpServerResolver Resolver(Dictionary<string, string?> configuration) =>
        new(new OperatorMcpServers(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build()), TestEndpointPolicies.Create());
}
