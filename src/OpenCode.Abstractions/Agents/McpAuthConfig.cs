namespace OpenCode.Abstractions;

/// <summary>How the gateway authenticates to an MCP server. Secrets are named (<c>…Ref</c>), never inlined.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.McpAuthConfig")]
public sealed record McpAuthConfig
{
    /// <summary><c>bearer</c>, <c>api_key</c> or <c>oauth2</c>.</summary>
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string? TokenRef { get; init; }
    [Id(2)] public string? KeyRef { get; init; }
    [Id(3)] public string? Header { get; init; }
    [Id(4)] public string? TokenUrl { get; init; }
    [Id(5)] public string? ClientId { get; init; }
    [Id(6)] public string? ClientSecretRef { get; init; }
    [Id(7)] public IReadOnlyList<string>? Scopes { get; init; }
}
