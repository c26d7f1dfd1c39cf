using OpenCode.Abstractions;

namespace OpenCode.Client;

/// <summary>
/// Agents of the client's tenant. Invalid configurations throw <see cref="ValidationFailedException"/>;
/// other failures throw <see cref="OpenCodeException"/> with a stable code.
/// </summary>
public sealed class AgentsClient(IClusterClient cluster, OpenCodeClientOptions options)
{
    /// <summary>Creates version 1 of an agent; an id is generated when the configuration has none.</summary>
    public Task<AgentSnapshot> CreateAsync(AgentConfig config)
    {
        var id = config.Id ?? "agent-" + Guid.NewGuid().ToString("N")[..12];
        return Agent(id).CreateAsync(config with { Id = id });
    }

    public Task<AgentSnapshot?> GetAsync(string agentId) => Agent(agentId).GetAsync();

    public Task<AgentSnapshot> UpdateAsync(string agentId, AgentConfig config) => Agent(agentId).UpdateAsync(config with { Id = agentId });

    public Task<bool> DeleteAsync(string agentId) => Agent(agentId).DeleteAsync();

    public Task<IReadOnlyList<AgentSummary>> ListAsync() => cluster.GetGrain<IAgentDirectoryGrain>(options.Tenant).ListAsync();

    private IAgentGrain Agent(string agentId) => cluster.GetGrain<IAgentGrain>(GrainKeys.Agent(options.Tenant, agentId));
}
