using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;

namespace OpenCode.Runtime.Tests.Conversations;

public sealed class TokenCounterTests
{
    private static readonly TokenCounter Tokens = new();

    public static TheoryData<string> Texts => new()
    {
        "The quick brown fox jumps over the lazy dog.",
        "Le cœur a ses raisons que la raison ne connaît point.",
        "東京は日本の首都です。天気はどうですか？",
        "🦊🐶 emoji 👩‍👩‍👧 and ZWJ sequences",
        "public static int Main(string[] args) { return args.Length > 0 ? 1 : 0; }",
        "<|endoftext|> <|endoftext|> special tokens written in the text",
        "            many spaces\n\n\n\t\ttabs",
        "x",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_upper_bound_is_never_below_the_count(string text)
    {
        var count = Tokens.Count(text);

        Assert.InRange(count, 1, TokenCounter.UpperBound(text));
    }

    [Fact]
    public void A_message_with_tool_calls_is_bounded_like_its_texts()
    {
        var message = new ConversationMessage
        {
            Content = "Let me look that up: 東京の天気",
            ToolCalls = [new ToolCallRecord { Id = "call-1", Name = "weather_lookup", ArgumentsJson = """{"city":"東京"}""", Result = "晴れ, 23 °C" }],
        };

        var count = Tokens.Count(message);

        Assert.True(count > 8, $"counted {count}");
        Assert.InRange(count, 1, TokenCounter.UpperBound(message));
    }

    [Fact]
    public void The_vocabulary_loads_with_the_first_count()
    {
        var tokens = new TokenCounter();
        Assert.False(tokens.IsLoaded);

        Assert.Equal(2, tokens.Count("Hello there"));
        Assert.True(tokens.IsLoaded);
    }
}
