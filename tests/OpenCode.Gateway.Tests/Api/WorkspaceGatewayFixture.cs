using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// A gateway process of its own with the built-in workspace server on a temporary directory
/// (<c>OPENCODE_WORKSPACE</c>) and code execution on, and a fake model.
/// </summary>
public sealed class WorkspaceGatewayFixture : IAsyncLifetime
{
    public FakeModelServer Model { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    /// <summary>The workspace root the gateway serves.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("opencode-workspace-").FullName;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["OPENCODE_WORKSPACE"] = Root,
            ["Tools__Workspace__CodeExecution__Enabled"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Model.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>Creates an agent using the workspace server, with a model name of its own so its script is its own.</summary>
    public async Task<(string AgentId, string Model)> CreateAgentAsync(string? permissionsJson = null)
    {
        var id = "ws-" + Guid.NewGuid().ToString("N")[..10];
        var model = "model-" + id;
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Workspace agent", "model": { "provider": "openai", "name": "{{model}}", "endpoint": "{{Model.BaseUrl}}" },
              "mcp": { "servers": [ { "name": "workspace" } ] } }
            """)!.AsObject();
        if (permissionsJson is not null)
        {
            body["permissions"] = JsonNode.Parse(permissionsJson);
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
