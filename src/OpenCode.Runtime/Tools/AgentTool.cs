using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>A tool an agent's servers offer, with the server that runs it and the agent's permission for it.</summary>
public sealed record AgentTool(McpToolInfo Info, McpServerSpec Server, string Permission);
