using System.Net;
using System.Net.Http.Json;
using OpenCode.Gateway.Tests.Api;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Privacy;

/// <summary>With the default <c>Privacy:MaskPii</c>, a model sees personal data masked and the history keeps it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PiiMaskingTests(GatewayFixture fixture)
{
    [Fact]
    public async Task The_model_receives_masked_text_and_the_history_keeps_the_original()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.ToolCall("nothing", $$"""{"to":"{{PrivacyText.Email}}"}"""), FakeReply.Text("done"));
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await fixture.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = PrivacyText.Message });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = fixture.Model.Requests.Where(r => r.Model == model).ToList();
        Assert.Equal(PrivacyText.Masked, requests[0].LastUserMessage);
        // The second request replays the tool call: its arguments are masked too.
        Assert.DoesNotContain(PrivacyText.Email, requests[1].Body, StringComparison.Ordinal);
        Assert.DoesNotContain(PrivacyText.Key, requests[1].Body, StringComparison.Ordinal);
        var history = (await ReadAsync(await fixture.Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();
        Assert.Equal(PrivacyText.Message, (string?)history[0]!["content"]);
        Assert.Contains(PrivacyText.Email, history[1]!["toolCalls"]![0]!["arguments"]!.ToJsonString(), StringComparison.Ordinal);
    }
}
