using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Agents;

/// <summary>An agent's versioned configuration. Every change is a new version; old versions stay readable.</summary>
public sealed class AgentGrain(
    [PersistentState("agent", OpenCodeStorage.Name)] IPersistentState<AgentState> state,
    AgentConfigValidator validator,
    TimeProvider clock) : Grain, IAgentGrain
{
    private string Tenant => GrainKeys.TenantOf(this.GetPrimaryKeyString());

    private string AgentId => GrainKeys.IdOf(this.GetPrimaryKeyString());

    private AgentSnapshot? Current => state.State.Deleted || state.State.Versions.Count == 0 ? null : state.State.Versions[^1];

    public async Task<AgentSnapshot> CreateAsync(AgentConfig config)
    {
        if (Current is not null)
        {
            throw new OpenCodeException(ErrorCodes.AgentExists, $"Agent '{AgentId}' already exists.");
        }

        return await WriteVersionAsync(config, createdAt: null);
    }

    public async Task<AgentSnapshot> UpdateAsync(AgentConfig config)
    {
        var current = Current ?? throw NotFound();
        return await WriteVersionAsync(config, current.CreatedAt);
    }

    public async Task<AgentUpsert> UpsertAsync(AgentConfig config)
    {
        var current = Current;
        if (current is not null && SameConfig(current.Config, Normalize(config)))
        {
            return new AgentUpsert(current, Changed: false, Created: false);
        }

        return new AgentUpsert(await WriteVersionAsync(config, current?.CreatedAt), Changed: true, Created: current is null);
    }

    [ReadOnly]
    public Task<AgentSnapshot?> GetAsync() => Task.FromResult(Current);

    [ReadOnly]
    public Task<AgentSnapshot?> GetVersionAsync(int version)
    {
        var versions = state.State.Versions;
        var match = version >= 1 && version <= versions.Count ? versions[version - 1] : null;
        return Task.FromResult(match);
    }

    public async Task<bool> DeleteAsync()
    {
        if (Current is null)
        {
            return false;
        }

        state.State.Deleted = true;
        await state.WriteOrRollbackAsync(this, () => state.State.Deleted = false);
        await GrainFactory.GetGrain<IAgentDirectoryGrain>(Tenant).RemoveAsync(AgentId);
        return true;
    }

    private async Task<AgentSnapshot> WriteVersionAsync(AgentConfig config, DateTimeOffset? createdAt)
    {
        var normalized = Normalize(config);
        validator.ThrowIfInvalid(normalized);

        var now = clock.GetUtcNow();
        var snapshot = new AgentSnapshot(AgentId, normalized.Name, state.State.Versions.Count + 1, createdAt ?? now, now, normalized);
        var wasDeleted = state.State.Deleted;
        state.State.Versions.Add(snapshot);
        state.State.Deleted = false;
        await state.WriteOrRollbackAsync(this, () =>
        {
            state.State.Versions.RemoveAt(state.State.Versions.Count - 1);
            state.State.Deleted = wasDeleted;
        });

        await GrainFactory.GetGrain<IAgentDirectoryGrain>(Tenant)
            .SetAsync(new AgentSummary(AgentId, snapshot.Name, snapshot.Version, snapshot.CreatedAt, snapshot.UpdatedAt, snapshot.Config.Access));
        return snapshot;
    }

    // JSON can set non-nullable properties to null; validation reports them, so nothing here may throw first.
    private AgentConfig Normalize(AgentConfig config) => config with { Id = AgentId, Name = config.Name?.Trim() ?? "" };

    /// <summary>Records hold lists and dictionaries, which compare by reference; their JSON compares by value.</summary>
    private static bool SameConfig(AgentConfig a, AgentConfig b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);

    private OpenCodeException NotFound() => new(ErrorCodes.AgentNotFound, $"Agent '{AgentId}' was not found.");
}
