using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
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
    public async Task Metrics_count_turns_tool_calls_and_tokens_next_to_http_orleans_and_runtime_metrics()
    {
        var (agent, model) = await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] } }""");
        fixture.Model.Script(model, FakeReply.ToolCall("web_echo", """{"message":"hi"}"""), FakeReply.Text("done"));
        var conversation = await fixture.CreateConversationAsync(agent);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "count me" })).StatusCode);
        var (limited, limitedModel) = await fixture.CreateAgentAsync($$"""{ "mcp": { "servers": [ { "name": "web", "url": "{{fixture.Mcp.StreamableHttpUrl}}" } ] }, "limits": { "maxSteps": 1 } }""");
        fixture.Model.Script(limitedModel, FakeReply.ToolCall("web_echo", """{"message":"again"}"""), FakeReply.Text("never asked"));
        var failing = await fixture.CreateConversationAsync(limited);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await fixture.Client.PostAsJsonAsync($"/conversations/{failing}/messages", new { message = "loop" })).StatusCode);

        var response = await fixture.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(Value(text, "opencode_turns_total", "outcome=\"completed\"") >= 1, text);
        Assert.True(Value(text, "opencode_turns_total", "outcome=\"failed\"", "error_code=\"limit_exceeded\"") >= 1, text);
        Assert.True(Value(text, "opencode_tool_calls_total", "status=\"completed\"") >= 1, text);
        Assert.True(Value(text, "opencode_model_tokens_total", "type=\"output\"", "provider=\"openai\"", $"model=\"{model}\"") >= 1, text);
        Assert.Contains("opencode_turn_duration_seconds_bucket{", text);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text);
        Assert.Contains("http_client_request_duration_seconds_bucket{", text);
        Assert.Contains("\norleans_", text);
        Assert.Contains("\ndotnet_gc_", text);
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

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Value(string text, string metric, params string[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
