namespace OpenCode.Abstractions;

/// <summary>A tool an MCP server offers.</summary>
/// <param name="Server">The server's name (<see cref="McpServerSpec.Name"/>).</param>
/// <param name="Name">The tool's own name on that server: what <see cref="IMcpConnectionGrain.CallToolAsync"/> takes.</param>
/// <param name="QualifiedName">The name the model sees: <see cref="McpToolNames.Qualify"/>.</param>
/// <param name="Description">The server's description of the tool.</param>
/// <param name="InputSchemaJson">The JSON Schema of the arguments, as JSON text.</param>
[GenerateSerializer, Immutable, Alias("OpenCode.McpToolInfo")]
public sealed record McpToolInfo(
    [property: Id(0)] string Server,
    [property: Id(1)] string Name,
    [property: Id(2)] string QualifiedName,
    [property: Id(3)] string? Description,
    [property: Id(4)] string InputSchemaJson);
