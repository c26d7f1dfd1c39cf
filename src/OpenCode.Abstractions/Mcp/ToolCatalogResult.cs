namespace OpenCode.Abstractions;

/// <summary>The tools of a set of MCP servers, and the servers that could not be listed.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ToolCatalogResult")]
public sealed record ToolCatalogResult(
    [property: Id(0)] IReadOnlyList<McpToolInfo> Tools,
    [property: Id(1)] IReadOnlyList<McpServerError> Errors)
{
    public static ToolCatalogResult Empty { get; } = new([], []);
}
