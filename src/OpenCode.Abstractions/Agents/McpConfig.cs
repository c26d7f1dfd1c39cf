namespace OpenCode.Abstractions;

[GenerateSerializer, Immutable, Alias("OpenCode.McpConfig")]
public sealed record McpConfig
{
    [Id(0)] public IReadOnlyList<McpServerConfig>? Servers { get; init; }
}
