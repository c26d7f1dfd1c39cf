using System.Net.Http.Json;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Privacy;

/// <summary>
/// A gateway with <c>Privacy:MaskPii=false</c> and verbose logs (its own categories and the MCP SDK's at Trace):
/// the model gets the text as written, and the logs still carry none of the personal data or the key.
/// </summary>
public sealed class UnmaskedGatewayTests : IAsyncLifetime
{
    private FakeModelServer _model = null!;
    private TestMcpHttpServer _mcp = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeModelServer.StartAsync();
        _mcp = await TestMcpHttpServer.StartAsync();
        _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Privacy__MaskPii"] = "false",
            ["Logging__LogLevel__OpenCode"] = "Trace",
            ["Logging__LogLevel__ModelContextProtocol"] = "Trace",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mcp.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task The_model_receives_the_text_as_written_and_the_logs_are_masked()
    {
        const string model = "unmasked-model";
        var create = await _gateway.Client.PostAsJsonAsync("/agents", new
        {
            id = "unmasked",
            name = "Unmasked",
            instructions = "Be brief.",
            model = new { provider = "openai", name = model, endpoint = _model.BaseUrl.ToString() },
            mcp = new { servers = new[] { new { name = "web", url = _mcp.StreamableHttpUrl.ToString() } } },
        });
        Assert.True(create.IsSuccessStatusCode, await create.Content.ReadAsStringAsync());
        // The tool gets the text in its arguments and echoes it; the provider then fails quoting it.
        _model.Script(
            model,
            FakeReply.ToolCall("web_echo", System.Text.Json.JsonSerializer.Serialize(new { message = PrivacyText.Message })),
            FakeReply.Error(400, $"Invalid request: {PrivacyText.Message}"));

        var response = await _gateway.Client.PostAsJsonAsync("/conversations", new { agentId = "unmasked", message = PrivacyText.Message });

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal(PrivacyText.Message, _model.Requests.First(r => r.Model == model).LastUserMessage);
        var output = await LogsAfterTheFailureAsync();
        Assert.DoesNotContain(PrivacyText.Email, output, StringComparison.Ordinal);
        Assert.DoesNotContain(PrivacyText.Card, output, StringComparison.Ordinal);
        Assert.DoesNotContain(PrivacyText.Key, output, StringComparison.Ordinal);
        Assert.DoesNotContain("4111111111111111", output, StringComparison.Ordinal);
    }

    // The provider's error as logged (the key it quotes was scrubbed from the error before it was logged).
    private const string Logged = "Invalid request: Mail [email] the receipt for card [card]; use key ";

    /// <summary>The gateway's output once the model failure is logged (masked), which the turn's end does not wait for.</summary>
    private async Task<string> LogsAfterTheFailureAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var output = _gateway.Output;
            if (output.Contains(Logged, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.Contains(Logged, output, StringComparison.Ordinal);
                return output;
            }

            await Task.Delay(100);
        }
    }
}
