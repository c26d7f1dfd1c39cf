using Microsoft.Extensions.AI;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// What the model sees: the instructions and the newest history that fits the model's budget
/// (context limit minus reserved output, instructions and tool schemas). Message sizes were counted when
/// each message was appended, so fitting the window reads numbers instead of re-tokenizing.
/// </summary>
public sealed class ContextWindow
{
    public const int DefaultContextTokens = 128_000;
    public const int DefaultReservedOutputTokens = 4_096;

    /// <param name="fixedTokens">What the request carries besides history: instructions and tool schemas.</param>
    public async Task<List<ChatMessage>> BuildAsync(ModelConfig model, string? instructions, int fixedTokens, ConversationHistory history)
    {
        var limit = model.ContextWindow ?? DefaultContextTokens;
        var reserved = model.MaxTokens ?? Math.Min(DefaultReservedOutputTokens, limit / 4);
        var budget = limit - reserved - fixedTokens;

        var newestFirst = new List<ConversationMessage>();
        var used = 0;
        await foreach (var message in history.NewestFirstAsync())
        {
            // The newest message is always sent: a model that cannot take it answers with a clear error.
            if (newestFirst.Count > 0 && used + message.TokenCount > budget)
            {
                break;
            }

            used += message.TokenCount;
            newestFirst.Add(message);
        }

        var messages = new List<ChatMessage>(newestFirst.Count + 2);
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            messages.Add(history.ModelInstructions(instructions));
        }

        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            messages.AddRange(history.ModelMessagesOf(newestFirst[i]));
        }

        if (newestFirst.Count > 0)
        {
            history.ForgetModelMessagesBefore(newestFirst[^1].Index);
        }

        return messages;
    }
}
