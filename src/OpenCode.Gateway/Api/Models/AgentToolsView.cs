namespace OpenCode.Gateway.Api.Models;

/// <summary>What an agent's MCP servers offer, with the agent's permission for each tool, and the servers that failed.</summary>
public sealed record AgentToolsView(IReadOnlyList<AgentToolView> Tools, IReadOnlyList<ServerErrorView> Errors);

/// <param name="Permission">The tool's permission before arguments are seen: <c>ask</c> where it would be <c>allow</c> while <paramref name="Changed"/>.</param>
/// <param name="Changed">The definition differs from the one the agent accepted (see <c>GET /agents/{id}/tool-changes</c>).</param>
public sealed record AgentToolView(string Name, string Server, string Tool, string? Description, System.Text.Json.JsonElement InputSchema, string Permission, bool Changed);

public sealed record ServerErrorView(string Server, string Error);
