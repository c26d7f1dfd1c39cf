using System.Net;
using System.Text.Json.Nodes;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class OperationsApiTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Health_and_ready_answer()
    {
        Assert.Equal("healthy", (string?)(await ReadAsync(await fixture.Client.GetAsync("/health")))["status"]);
        Assert.Equal("ready", (string?)(await ReadAsync(await fixture.Client.GetAsync("/ready")))["status"]);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_resource()
    {
        var response = await fixture.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        foreach (var path in new[] { "/agents", "/agents/{agentId}", "/agents/{agentId}/tools", "/agents/{agentId}/mcp-servers", "/mcp/servers", "/conversations", "/conversations/{conversationId}", "/conversations/{conversationId}/messages", "/health", "/ready" })
        {
            Assert.True(paths.ContainsKey(path), $"missing {path}");
        }

        Assert.Equal("SendMessage", (string?)paths["/conversations/{conversationId}/messages"]!["post"]!["operationId"]);
    }
}
