using Microsoft.Extensions.AI;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// What the model sees: the instructions and the newest history that fits the model's budget (context limit minus
/// reserved output, instructions and tool schemas). Sizes are first taken as upper bounds (a message's
/// <see cref="ConversationMessage.TokenCount"/>, set when it entered the history), which cost no tokenizing:
/// a conversation well inside its window is never counted. Only when the bounds stop fitting are the instructions,
/// the schemas and the messages counted exactly, each message once while it stays in the window.
/// </summary>
public sealed class ContextWindow(TokenCounter tokens)
{
    public const int DefaultContextTokens = 128_000;
    public const int DefaultReservedOutputTokens = 4_096;

    /// <param name="toolSchemas">The text of the tool schemas the request offers (see <see cref="Tools.ToolSet.OfferedSchemaText"/>).</param>
    public async Task<List<ChatMessage>> BuildAsync(ModelConfig model, string? instructions, string toolSchemas, ConversationHistory history)
    {
        var limit = model.ContextWindow ?? DefaultContextTokens;
        var reserved = model.MaxTokens ?? Math.Min(DefaultReservedOutputTokens, limit / 4);

        var exact = false;
        long budget = limit - reserved - TokenCounter.UpperBound(instructions) - TokenCounter.UpperBound(toolSchemas);
        long used = 0;
        var newestFirst = new List<ConversationMessage>();
        await foreach (var message in history.NewestFirstAsync())
        {
            // A message always costs some tokens: 0 means one written without its bound, by a tool outside the grains.
            var size = exact ? history.TokensOf(message, tokens) : message.TokenCount > 0 ? message.TokenCount : TokenCounter.UpperBound(message);
            if (!exact && newestFirst.Count > 0 && used + size > budget)
            {
                // The bounds no longer fit: count what is in so far, and this message and every older one from here.
                exact = true;
                budget = limit - reserved - history.TokensOfInstructions(instructions, tokens) - history.TokensOfToolSchemas(toolSchemas, tokens);
                used = newestFirst.Sum(m => (long)history.TokensOf(m, tokens));
                size = history.TokensOf(message, tokens);
            }

            // The newest message is always sent: a model that cannot take it answers with a clear error.
            if (newestFirst.Count > 0 && used + size > budget)
            {
                break;
            }

            used += size;
            newestFirst.Add(message);
        }

        var messages = new List<ChatMessage>(newestFirst.Count + 2);
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            messages.Add(history.ModelInstructions(instructions, model.Provider));
        }

        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            messages.AddRange(history.ModelMessagesOf(newestFirst[i], model.Provider));
        }

        if (newestFirst.Count > 0)
        {
            history.ForgetModelMessagesBefore(newestFirst[^1].Index);
        }

        return messages;
    }
}
