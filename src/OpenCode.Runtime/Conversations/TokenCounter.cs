using Microsoft.ML.Tokenizers;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// Counts tokens with the o200k tokenizer (GPT-4o's). Other providers' tokenizers differ by a few percent,
/// which the reserved output budget absorbs; the point is a real count instead of a characters-divided-by-four guess.
/// </summary>
public sealed class TokenCounter
{
    /// <summary>What a chat message costs beyond its text (role and separators).</summary>
    private const int PerMessageOverhead = 4;

    private readonly Tokenizer _tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");

    public int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    public int Count(ConversationMessage message)
    {
        var count = PerMessageOverhead + Count(message.Content);
        foreach (var call in message.ToolCalls ?? [])
        {
            count += PerMessageOverhead + Count(call.Name) + Count(call.ArgumentsJson) + Count(call.Result);
        }

        return count;
    }

    /// <summary>The message with its <see cref="ConversationMessage.TokenCount"/> filled in.</summary>
    public ConversationMessage Counted(ConversationMessage message) => message with { TokenCount = Count(message) };
}
