using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Limits;

/// <summary>A gateway process of its own with some <c>Limits</c> settings, and a fake model.</summary>
public abstract class LimitedGatewayFixture(IReadOnlyDictionary<string, string?> limits) : IAsyncLifetime
{
    public FakeModelServer Model { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Gateway = await GatewayProcess.StartAsync(environment: limits);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>Creates an agent on the fake model whose model name is its own, so its script is its own.</summary>
    public async Task<(string AgentId, string Model)> CreateAgentAsync()
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var model = "model-" + id;
        var response = await Client.PostAsJsonAsync("/agents", JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Limited", "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{Model.BaseUrl}}" } }
            """));
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
