using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record AgentView(string Id, string Name, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, AgentConfig Config)
{
    /// <summary>Shown in place of MCP server environment values, which often hold secrets and are write-only.</summary>
    public const string Hidden = "***";

    public static AgentView From(AgentSnapshot agent) =>
        new(agent.Id, agent.Name, agent.Version, agent.CreatedAt, agent.UpdatedAt, WithoutSecrets(agent.Config));

    private static AgentConfig WithoutSecrets(AgentConfig config) => config.Mcp?.Servers is not { Count: > 0 } servers
        ? config
        : config with
        {
            Mcp = config.Mcp with
            {
                Servers = [.. servers.Select(s => s.Env is null ? s : s with { Env = s.Env.ToDictionary(e => e.Key, _ => Hidden) })],
            },
        };
}
