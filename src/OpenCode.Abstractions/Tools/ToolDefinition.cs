namespace OpenCode.Abstractions;

/// <summary>What an MCP server says a tool is, and the hash of it (name, description and input schema).</summary>
/// <param name="Tool">The qualified name the model sees (<see cref="McpToolInfo.QualifiedName"/>).</param>
[GenerateSerializer, Immutable, Alias("OpenCode.ToolDefinition")]
public sealed record ToolDefinition(
    [property: Id(0)] string Tool,
    [property: Id(1)] string Server,
    [property: Id(2)] string? Description,
    [property: Id(3)] string InputSchemaJson,
    [property: Id(4)] string Hash);
