namespace OpenCode.Abstractions;

/// <summary>The list of a tenant's agents, for <c>GET /agents</c>. Key: the tenant. Not on the turn path.</summary>
[Alias("OpenCode.IAgentDirectoryGrain")]
public interface IAgentDirectoryGrain : IGrainWithStringKey
{
    [Alias("Set")]
    Task SetAsync(AgentSummary agent);

    [Alias("Remove")]
    Task RemoveAsync(string agentId);

    [Alias("List")]
    Task<IReadOnlyList<AgentSummary>> ListAsync();
}
