using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class OpenCodeJsonTests
{
    [Fact]
    public void Snake_case_and_camel_case_are_both_read_and_camel_case_is_written()
    {
        var snake = JsonSerializer.Deserialize<ModelConfig>("""{"provider":"openai","name":"m","max_tokens":7,"context_window":99}""", OpenCodeJson.Options)!;
        var camel = JsonSerializer.Deserialize<ModelConfig>("""{"provider":"openai","name":"m","maxTokens":7,"contextWindow":99}""", OpenCodeJson.Options)!;

        Assert.Equal((7, 99), (snake.MaxTokens, snake.ContextWindow));
        Assert.Equal((7, 99), (camel.MaxTokens, camel.ContextWindow));
        var written = JsonSerializer.Serialize(snake, OpenCodeJson.Options);
        Assert.Contains("\"maxTokens\":7", written, StringComparison.Ordinal);
        Assert.DoesNotContain("max_tokens", written, StringComparison.Ordinal);
        Assert.DoesNotContain("null", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_refused_with_their_name()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ModelConfig>("""{"provider":"openai","name":"m","max_token":7}""", OpenCodeJson.Options));

        Assert.Contains("max_token", error.Message, StringComparison.Ordinal);
    }
}
