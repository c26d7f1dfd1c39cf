using Microsoft.Extensions.AI;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Conversations;

public sealed class ConversationHistoryTests
{
    private static readonly ConversationMessage Personal = new() { Index = 0, Content = "Mail jane@example.com" };

    [Fact]
    public void What_the_model_sees_of_a_message_is_masked_once_when_it_is_mapped()
    {
        var history = History(maskForModels: true);

        var mapped = Assert.IsType<MaskedChatMessage>(Assert.Single(history.ModelMessagesOf(Personal, "anthropic")));

        Assert.Equal("Mail [email]", mapped.Text);
        Assert.Same(mapped, history.ModelMessagesOf(Personal, "anthropic").Single());
        Assert.Equal("Mail jane@example.com", Personal.Content);
    }

    [Fact]
    public void Without_masking_the_model_sees_the_text_as_it_is()
    {
        var mapped = Assert.Single(History(maskForModels: false).ModelMessagesOf(Personal, "anthropic"));

        Assert.IsNotType<MaskedChatMessage>(mapped);
        Assert.Equal("Mail jane@example.com", mapped.Text);
    }

    [Fact]
    public void The_instructions_are_masked_once_and_made_again_only_when_they_change()
    {
        var history = History(maskForModels: true);

        var instructions = Assert.IsType<MaskedChatMessage>(history.ModelInstructions("Escalate to ops@example.com", "anthropic"));

        Assert.Equal(ChatRole.System, instructions.Role);
        Assert.Equal("Escalate to [email]", instructions.Text);
        Assert.Same(instructions, history.ModelInstructions("Escalate to ops@example.com", "anthropic"));
        Assert.Equal("Be brief", history.ModelInstructions("Be brief", "anthropic").Text);
    }

    [Fact]
    public void Without_masking_the_instructions_are_sent_as_they_are()
    {
        var instructions = History(maskForModels: false).ModelInstructions("Escalate to ops@example.com", "anthropic");

        Assert.IsNotType<MaskedChatMessage>(instructions);
        Assert.Equal("Escalate to ops@example.com", instructions.Text);
    }

    [Fact]
    public async Task A_message_entering_the_history_carries_an_upper_bound_of_its_tokens_for_silos_of_earlier_versions()
    {
        var tokens = new TokenCounter();
        var history = History(maskForModels: false);
        var step = new ConversationMessage
        {
            Index = 1,
            Role = MessageRoles.Assistant,
            Content = "Looking it up: 東京の天気",
            ToolCalls = [new ToolCallRecord { Id = "call-1", Name = "weather_lookup", ArgumentsJson = """{"city":"東京"}""", Status = ToolCallStatuses.Running }],
        };

        history.Append(step);
        var appended = history.Newest!;
        history.Replace(step with { ToolCalls = [step.ToolCalls![0] with { Status = ToolCallStatuses.Completed, Result = "晴れ, 23 °C, humidity 40 %" }] });
        var replaced = history.Newest!;

        Assert.Equal(TokenCounter.UpperBound(step), appended.TokenCount);
        Assert.InRange(tokens.Count(replaced), 1, replaced.TokenCount);
        Assert.True(replaced.TokenCount > appended.TokenCount);
        Assert.Equal(TokenCounter.UpperBound(Personal), (await history.PageAsync(1, 1)).Messages[0].TokenCount);
    }

    private static ConversationHistory History(bool maskForModels)
    {
        var state = new ConversationState();
        var history = new ConversationHistory(state, grains: null!, "local/user/conv-1", maskForModels);
        history.Append(Personal);
        return history;
    }
}
