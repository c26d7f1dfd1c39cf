using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record AgentView(string Id, string Name, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, AgentConfig Config)
{
    public static AgentView From(AgentSnapshot agent) => new(agent.Id, agent.Name, agent.Version, agent.CreatedAt, agent.UpdatedAt, agent.Config);
}
