using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>A gateway told of an OpenTelemetry collector (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) exports to it.</summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    private readonly string _providerKey = "sk-otlp" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private OtlpReceiver _collector = null!;
    private FakeModelServer _model = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _collector = await OtlpReceiver.StartAsync();
        _model = await FakeModelServer.StartAsync();
        _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "opencode-otlp-test",
            // Export within a fraction of a second instead of the defaults' 5 s (traces, logs) and 60 s (metrics).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["Providers__openai__ApiKey"] = _providerKey,
            ["Providers__openai__Endpoint"] = _model.BaseUrl.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _model.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task A_turn_is_traced_from_the_request_through_the_grain_to_the_model_and_nothing_secret_is_exported()
    {
        var agent = await _gateway.Client.PostAsJsonAsync("/agents", new { name = "traced", model = new { provider = "openai", name = "otlp-model" } });
        Assert.Equal(HttpStatusCode.Created, agent.StatusCode);
        var agentId = (string)(await agent.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var conversation = await _gateway.Client.PostAsJsonAsync("/conversations", new { agentId });
        var conversationId = (string)(await conversation.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var turn = await _gateway.Client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "trace me" });

        Assert.Equal(HttpStatusCode.OK, turn.StatusCode);
        await _collector.WaitForAsync("traces", ExportTimeout, "opencode-otlp-test", "POST /conversations/{conversationId}/messages");
        await _collector.WaitForAsync("traces", ExportTimeout, "ConversationGrain");
        await _collector.WaitForAsync("traces", ExportTimeout, "/chat/completions");
        await _collector.WaitForAsync("metrics", ExportTimeout, "opencode.turns");
        Assert.False(_collector.Holds(_providerKey), "the provider's key was exported");
        Assert.False(_collector.Holds("/ready", "traces"), "a probe was traced");
    }
}
