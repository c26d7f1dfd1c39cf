using Microsoft.Extensions.AI;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;

namespace OpenCode.Runtime.Tests.Conversations;

public sealed class ContextWindowTests
{
    private const string Instructions = "You are a helpful assistant. Answer in the user's language.";
    private const string ToolSchemas = """weather_lookupLooks up the weather.{"type":"object","properties":{"city":{"type":"string"}}}""";

    [Fact]
    public async Task A_conversation_far_inside_its_window_is_sent_whole_without_loading_the_tokenizer()
    {
        var tokens = new TokenCounter();
        var history = History(40);

        var messages = await new ContextWindow(tokens).BuildAsync(Model(contextWindow: null), Instructions, ToolSchemas, history);

        Assert.Equal(41, messages.Count);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal("Message 0: ここは東京です, the weather is fine.", messages[1].Text);
        Assert.False(tokens.IsLoaded);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(1_000)]
    [InlineData(2_000)]
    public async Task Near_its_limit_the_window_holds_exactly_the_newest_messages_whose_counts_fit(int contextWindow)
    {
        var tokens = new TokenCounter();
        var history = History(200);
        var model = Model(contextWindow);

        var messages = await new ContextWindow(tokens).BuildAsync(model, Instructions, ToolSchemas, history);

        var budget = contextWindow - model.MaxTokens!.Value - tokens.Count(Instructions) - tokens.Count(ToolSchemas);
        var fitting = 0;
        for (var used = 0; fitting < 200; fitting++)
        {
            used += tokens.Count(Message(199 - fitting));
            if (used > budget)
            {
                break;
            }
        }

        Assert.InRange(fitting, 2, 199);
        Assert.Equal(fitting + 1, messages.Count);
        Assert.Equal(Message(200 - fitting).Content, messages[1].Text);
        Assert.Equal(Message(199).Content, messages[^1].Text);
    }

    [Fact]
    public async Task Messages_stored_without_their_bound_are_still_fitted()
    {
        var tokens = new TokenCounter();
        var state = new ConversationState { Head = [.. Enumerable.Range(0, 200).Select(Message)] };
        var history = new ConversationHistory(state, grains: null!, "local/user/conv-1", maskForModels: false);

        var messages = await new ContextWindow(tokens).BuildAsync(Model(contextWindow: 1_000), Instructions, ToolSchemas, history);

        Assert.InRange(messages.Count, 3, 100);
        Assert.Equal(Message(199).Content, messages[^1].Text);
    }

    [Fact]
    public async Task The_newest_message_is_sent_even_when_it_does_not_fit()
    {
        var state = new ConversationState();
        var history = new ConversationHistory(state, grains: null!, "local/user/conv-1", maskForModels: false);
        history.Append(new ConversationMessage { Index = 0, Content = "short" });
        history.Append(new ConversationMessage { Index = 1, Content = string.Concat(Enumerable.Repeat("a long message ", 200)) });

        var messages = await new ContextWindow(new TokenCounter()).BuildAsync(Model(contextWindow: 300), instructions: null, "", history);

        Assert.Equal(history.Newest!.Content, Assert.Single(messages).Text);
    }

    internal static ModelConfig Model(int? contextWindow) =>
        new() { Provider = "openai", Name = "gpt-4o", ContextWindow = contextWindow, MaxTokens = contextWindow is null ? null : 100 };

    internal static ConversationMessage Message(int index) => new()
    {
        Index = index,
        Role = index % 2 == 0 ? MessageRoles.User : MessageRoles.Assistant,
        Content = $"Message {index}: ここは東京です, the weather is fine.",
    };

    private static ConversationHistory History(int count)
    {
        var history = new ConversationHistory(new ConversationState(), grains: null!, "local/user/conv-1", maskForModels: false);
        for (var i = 0; i < count; i++)
        {
            history.Append(Message(i));
        }

        return history;
    }
}
