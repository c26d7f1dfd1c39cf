namespace OpenCode.Abstractions;

/// <summary>An agent's versioned configuration. Key: <c>{tenant}/{agentId}</c> (see <see cref="GrainKeys"/>).</summary>
[Alias("OpenCode.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Creates version 1; fails with <c>agent_exists</c> if the agent exists.</summary>
    [Alias("Create")]
    Task<AgentSnapshot> CreateAsync(AgentConfig config);

    /// <summary>Writes a new version; fails with <c>agent_not_found</c> if there is no agent.</summary>
    [Alias("Update")]
    Task<AgentSnapshot> UpdateAsync(AgentConfig config);

    /// <summary>Creates the agent or, when the configuration differs from the current one, writes a new version.</summary>
    [Alias("Upsert")]
    Task<AgentUpsert> UpsertAsync(AgentConfig config);

    /// <summary>The current version, or null when the agent does not exist.</summary>
    [Alias("Get")]
    Task<AgentSnapshot?> GetAsync();

    /// <summary>A specific version (conversations pin the version they started with); null when unknown.</summary>
    [Alias("GetVersion")]
    Task<AgentSnapshot?> GetVersionAsync(int version);

    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
