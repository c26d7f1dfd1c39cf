namespace OpenCode.Abstractions;

/// <summary>An agent's configuration: the body of <c>POST /agents</c> and what each version of an agent holds.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentConfig")]
public sealed record AgentConfig
{
    [Id(0)] public string? Id { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public string? Instructions { get; init; }
    [Id(3)] public AgentCapabilities? Capabilities { get; init; }
    [Id(4)] public ModelConfig Model { get; init; } = new();
    [Id(5)] public McpConfig? Mcp { get; init; }
    /// <summary>Tool-name glob → <see cref="ToolPermission"/>; the most specific match wins.</summary>
    [Id(6)] public IReadOnlyDictionary<string, ToolPermission>? Permissions { get; init; }
    [Id(7)] public AgentLimits? Limits { get; init; }
    /// <summary><c>reject</c> (default), <c>enqueue</c> or <c>interrupt</c>.</summary>
    [Id(8)] public string? BusyPolicy { get; init; }
    /// <summary>Restricts the agent to some roles or users; open to the tenant when absent.</summary>
    [Id(9)] public AgentAccess? Access { get; init; }
}
