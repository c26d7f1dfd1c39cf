using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.History;

/// <summary>
/// One gateway process (embedded profile) with a conversation of <see cref="InitialMessages"/> messages, built by
/// real turns through the API against the fake model. Turn <c>t</c> sends <see cref="UserText"/> of <c>t</c>, so
/// the content of every message follows from its index.
/// </summary>
public sealed class LongConversation : IAsyncLifetime
{
    public const int InitialMessages = 10_000;

    public FakeModelServer Model { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public string AgentId { get; private set; } = "";

    public string ConversationId { get; private set; } = "";

    /// <summary>Fixed width, so a message's size does not depend on how long the conversation already is.</summary>
    public static string UserText(long turn) => "m" + turn.ToString("D8", CultureInfo.InvariantCulture);

    public static string ExpectedContent(long index) => index % 2 == 0 ? UserText(index / 2) : "echo: " + UserText(index / 2);

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Gateway = await GatewayProcess.StartAsync();
        var agent = await Gateway.Client.PostAsJsonAsync("/agents", new
        {
            id = "history",
            name = "History agent",
            instructions = "Be brief.",
            model = new { provider = "openai", name = "history-model", endpoint = Model.BaseUrl.ToString() },
        });
        Assert.Equal(HttpStatusCode.Created, agent.StatusCode);
        AgentId = "history";
        ConversationId = await CreateConversationAsync();
        for (var turn = 0; turn < InitialMessages / 2; turn++)
        {
            await SendAsync(ConversationId, turn);
        }
    }

    /// <summary>Stops the gateway and starts a new one on its data directory: every activation and cached page is gone.</summary>
    public async Task RestartGatewayAsync()
    {
        var dataDirectory = Gateway.DataDirectory;
        await Gateway.StopAsync(TimeSpan.FromSeconds(30));
        await Gateway.DisposeAsync();
        Gateway = await GatewayProcess.StartAsync(dataDirectory);
    }

    public async Task<string> CreateConversationAsync()
    {
        var response = await Gateway.Client.PostAsJsonAsync("/conversations", new { agentId = AgentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>Turn number <paramref name="turn"/> of a conversation; asserts the fake model's echo came back.</summary>
    public async Task SendAsync(string conversationId, long turn)
    {
        var response = await Gateway.Client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = UserText(turn) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("echo: " + UserText(turn), (string?)JsonNode.Parse(body)!["content"]);
    }

    public async Task<long> MessageCountAsync(string conversationId)
    {
        var info = await Gateway.Client.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}");
        return info!["messageCount"]!.GetValue<long>();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Model.DisposeAsync();
    }
}
