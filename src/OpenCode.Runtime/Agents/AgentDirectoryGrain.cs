using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Agents;

/// <summary>A tenant's agents by id. Written when an agent is created, updated or deleted.</summary>
public sealed class AgentDirectoryGrain(
    [PersistentState("agentDirectory", OpenCodeStorage.Name)] IPersistentState<Dictionary<string, AgentSummary>> state)
    : Grain, IAgentDirectoryGrain
{
    public async Task SetAsync(AgentSummary agent)
    {
        state.State.TryGetValue(agent.Id, out var previous);
        state.State[agent.Id] = agent;
        await state.WriteOrRollbackAsync(this, () => Restore(agent.Id, previous));
    }

    public async Task RemoveAsync(string agentId)
    {
        if (state.State.Remove(agentId, out var previous))
        {
            await state.WriteOrRollbackAsync(this, () => Restore(agentId, previous));
        }
    }

    [ReadOnly]
    public Task<IReadOnlyList<AgentSummary>> ListAsync() =>
        Task.FromResult<IReadOnlyList<AgentSummary>>([.. state.State.Values.OrderBy(a => a.Id, StringComparer.Ordinal)]);

    private void Restore(string agentId, AgentSummary? previous)
    {
        if (previous is null)
        {
            state.State.Remove(agentId);
        }
        else
        {
            state.State[agentId] = previous;
        }
    }
}
