namespace OpenCode.Abstractions;

/// <summary>Why the tools of one MCP server could not be listed (or were left out).</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.McpServerError")]
public sealed record McpServerError([property: Id(0)] string Server, [property: Id(1)] string Message);
