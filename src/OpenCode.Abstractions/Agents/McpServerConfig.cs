namespace OpenCode.Abstractions;

/// <summary>
/// One MCP server as written in an agent configuration. An entry with only <see cref="Name"/>
/// refers to a server the operator defined in the gateway configuration.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.McpServerConfig")]
public sealed record McpServerConfig
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Url { get; init; }
    [Id(2)] public string? Command { get; init; }
    [Id(3)] public IReadOnlyList<string>? Args { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, string>? Env { get; init; }
    /// <summary><c>stdio</c>, <c>streamable-http</c>, <c>sse</c> or <c>websocket</c>; inferred when absent.</summary>
    [Id(5)] public string? Transport { get; init; }
    [Id(6)] public McpAuthConfig? Auth { get; init; }
    [Id(7)] public int? TimeoutSeconds { get; init; }
    /// <summary>
    /// The server's tools may safely run twice: a call cut off by a crash is run again when its turn resumes,
    /// instead of being reported <c>interrupted</c> to the model.
    /// </summary>
    [Id(8)] public bool? Idempotent { get; init; }
}
