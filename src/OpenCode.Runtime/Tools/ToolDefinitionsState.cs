using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>An agent's accepted tool definitions and the changes not yet accepted, both by qualified tool name.</summary>
[GenerateSerializer, Alias("OpenCode.ToolDefinitionsState")]
public sealed class ToolDefinitionsState
{
    [Id(0)] public Dictionary<string, ToolDefinition> Accepted { get; set; } = [];

    [Id(1)] public Dictionary<string, ToolChange> Changes { get; set; } = [];
}
