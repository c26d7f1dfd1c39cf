namespace OpenCode.Abstractions;

/// <summary>Which model an agent talks to. Credentials never live here: they come from the gateway's configuration.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ModelConfig")]
public sealed record ModelConfig
{
    /// <summary><c>openai</c>, <c>openai-compatible</c>, <c>anthropic</c> or <c>ollama</c>.</summary>
    [Id(0)] public string Provider { get; init; } = "";
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public double? Temperature { get; init; }
    /// <summary>Output tokens reserved for a reply (<c>max_tokens</c> in the requirements' format).</summary>
    [Id(3)] public int? MaxTokens { get; init; }
    [Id(4)] public string? Endpoint { get; init; }
    /// <summary>The model's context limit in tokens; the context window is fitted under it.</summary>
    [Id(5)] public int? ContextWindow { get; init; }
    [Id(6)] public IReadOnlyList<ModelConfig>? Fallbacks { get; init; }
}
