using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// One gateway process shared by the API tests, with a fake model, the test MCP server over HTTP, an
/// operator-declared default agent (configuration section), an agent from the config folder and an
/// operator-defined MCP server.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string DefaultAgentId = "default-agent";
    public const string FileAgentId = "file-agent";
    public const long MaxBodyBytes = 64 * 1024;
    public const int HeartbeatSeconds = 1;
    public const int RetryMilliseconds = 1500;
    public const int MaxWebSocketMessageBytes = 64 * 1024;

    public FakeModelServer Model { get; private set; } = null!;

    public TestMcpHttpServer Mcp { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Mcp = await TestMcpHttpServer.StartAsync();
        var configDir = Directory.CreateTempSubdirectory("opencode-config-").FullName;
        await File.WriteAllTextAsync(Path.Combine(configDir, $"{FileAgentId}.json"), $$"""
            { "agent": { "name": "From a file", "instructions": "file instructions",
              "model": { "provider": "openai", "name": "file-model", "max_tokens": 512, "endpoint": "{{Model.BaseUrl}}" } } }
            """);
        Gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["AGENT_ID"] = DefaultAgentId,
            ["OPENCODE_CONFIG_DIR"] = configDir,
            [$"Agents__{DefaultAgentId}__name"] = "Default",
            [$"Agents__{DefaultAgentId}__model__provider"] = "openai",
            [$"Agents__{DefaultAgentId}__model__name"] = "default-model",
            [$"Agents__{DefaultAgentId}__model__endpoint"] = Model.BaseUrl.ToString(),
            [$"Agents__{DefaultAgentId}__model__temperature"] = "0.5",
            ["Mcp__Servers__operator-mcp__url"] = Mcp.StreamableHttpUrl.ToString(),
            // The requirements' example agent names a remote MCP server; without authentication loopback needs no entry.
            ["Security__AllowedEndpoints__0"] = "https://example.org",
            ["Limits__MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Short streaming timings and a tiny WebSocket send queue, so heartbeats and slow readers show in a test's time.
            ["Streaming__HeartbeatSeconds"] = HeartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Streaming__RetryMilliseconds"] = RetryMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Streaming__WebSocket__MaxMessageBytes"] = MaxWebSocketMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Streaming__WebSocket__SendQueueLimit"] = "4",
            ["Streaming__WebSocket__SendQueueFullTimeout"] = "00:00:01",
            ["Streaming__WebSocket__KeepAliveInterval"] = "00:00:02",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Mcp.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>Creates an agent whose model name is unique, so its fake-model script is its own.</summary>
    public async Task<(string AgentId, string Model)> CreateAgentAsync(string? extraJson = null)
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var model = "model-" + id;
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Test agent", "instructions": "Be brief.",
              "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{Model.BaseUrl}}" } }
            """)!.AsObject();
        if (extraJson is not null)
        {
            foreach (var (key, value) in JsonNode.Parse(extraJson)!.AsObject().ToList())
            {
                body[key] = value?.DeepClone();
            }
        }

        var response = await Client.PostAsJsonAsync("/agents", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (id, model);
    }

    public async Task<string> CreateConversationAsync(string agentId)
    {
        var response = await Client.PostAsJsonAsync("/conversations", new { agentId });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
