namespace OpenCode.Gateway.Api.Models;

/// <summary>What an agent's MCP servers offer, with the agent's permission for each tool, and the servers that failed.</summary>
public sealed record AgentToolsView(IReadOnlyList<AgentToolView> Tools, IReadOnlyList<ServerErrorView> Errors);

public sealed record AgentToolView(string Name, string Server, string Tool, string? Description, System.Text.Json.JsonElement InputSchema, string Permission);

public sealed record ServerErrorView(string Server, string Error);
