using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Models;

/// <summary>The context window's messages carry their OpenAI form, and the request they make is the one the adapter would map.</summary>
public sealed class OpenAIRequestMessagesTests : IAsyncLifetime
{
    private const string Instructions = "Be brief. Escalate to ops@example.com.";

    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_window_kept_in_the_OpenAI_form_sends_the_request_the_adapter_maps_from_the_contents(bool maskForModels)
    {
        var kept = Window("openai", maskForModels);
        var mapped = Window("ollama", maskForModels);

        // Every message that maps to one OpenAI message carries it; the step with two results maps to two tool messages.
        Assert.All(kept.Where(m => !IsToolMessageWithResults(m, 2)), m => Assert.IsAssignableFrom<OpenAI.Chat.ChatMessage>(m.RawRepresentation));
        Assert.Null(Assert.Single(kept, m => IsToolMessageWithResults(m, 2)).RawRepresentation);
        Assert.All(mapped, m => Assert.Null(m.RawRepresentation));

        await Client().GetResponseAsync(kept);
        await Client().GetResponseAsync(mapped);

        var requests = _server.Requests.TakeLast(2).ToList();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(requests[1].Body), JsonNode.Parse(requests[0].Body)), $"{requests[0].Body}\n!=\n{requests[1].Body}");
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "tool", "tool", "assistant"], requests[0].Messages.Select(m => m.Role));
        Assert.Equal(maskForModels ? "What is the weather in Lisbon? Mail [email]" : "What is the weather in Lisbon? Mail jane@example.com", requests[0].Messages[1].Content);
    }

    [Fact]
    public void A_conversation_whose_agent_moves_to_or_from_the_OpenAI_adapter_maps_its_window_for_the_new_one()
    {
        // The same records throughout, as a conversation's history holds them; the first two map to one model message each.
        var messages = Conversation().Take(2).ToList();
        var history = new ConversationHistory(new ConversationState(), grains: null!, "local/user/conv-1", maskForModels: false);
        Assert.All(Window(history, "anthropic", messages), m => Assert.Null(m.RawRepresentation));

        var openAI = Window(history, "openai", messages);
        Assert.All(openAI, m => Assert.IsAssignableFrom<OpenAI.Chat.ChatMessage>(m.RawRepresentation));
        Assert.Equal(openAI, Window(history, "openai-compatible", messages));

        Assert.All(Window(history, "ollama", messages), m => Assert.Null(m.RawRepresentation));
    }

    private static List<ChatMessage> Window(string provider, bool maskForModels) =>
        Window(new ConversationHistory(new ConversationState(), grains: null!, "local/user/conv-1", maskForModels), provider, Conversation());

    private static List<ChatMessage> Window(ConversationHistory history, string provider, IEnumerable<ConversationMessage> messages) =>
        [history.ModelInstructions(Instructions, provider), .. messages.SelectMany(m => history.ModelMessagesOf(m, provider))];

    private static bool IsToolMessageWithResults(ChatMessage message, int results) =>
        message.Role == ChatRole.Tool && message.Contents.Count == results;

    private static IEnumerable<ConversationMessage> Conversation() =>
    [
        new() { Index = 0, Role = MessageRoles.User, Content = "What is the weather in Lisbon? Mail jane@example.com" },
        new()
        {
            Index = 1, Role = MessageRoles.Assistant, Content = "Looking it up.",
            ToolCalls = [new ToolCallRecord { Id = "call-1", Name = "weather_lookup", ArgumentsJson = """{"city":"Lisbon","days":2}""", Result = "Sunny, 23 °C" }],
        },
        new()
        {
            Index = 2, Role = MessageRoles.Assistant, Content = "",
            ToolCalls =
            [
                new ToolCallRecord { Id = "call-2", Name = "mail_send", ArgumentsJson = """{"to":"jane@example.com"}""", Result = "sent" },
                new ToolCallRecord { Id = "call-3", Name = "calendar_add", ArgumentsJson = "{}", Status = ToolCallStatuses.Failed, Result = "no calendar" },
            ],
        },
        new() { Index = 3, Role = MessageRoles.Assistant, Content = "Sunny, 23 °C; Jane has the forecast." },
    ];

    private IChatClient Client() =>
        new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = _server.BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) })
            .GetChatClient("gpt-4o")
            .AsIChatClient();
}
