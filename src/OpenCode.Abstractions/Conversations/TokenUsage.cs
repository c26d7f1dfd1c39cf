namespace OpenCode.Abstractions;

[GenerateSerializer, Immutable, Alias("OpenCode.TokenUsage")]
public sealed record TokenUsage([property: Id(0)] long PromptTokens, [property: Id(1)] long CompletionTokens)
{
    public static readonly TokenUsage Zero = new(0, 0);

    public TokenUsage Add(TokenUsage? other) =>
        other is null ? this : new(PromptTokens + other.PromptTokens, CompletionTokens + other.CompletionTokens);
}
