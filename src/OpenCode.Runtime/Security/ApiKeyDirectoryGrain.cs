using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Security;

/// <summary>Every API key by id with the hash that names its grain: what the admin API lists and revokes.</summary>
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("apiKeyDirectory", OpenCodeStorage.Name)] IPersistentState<Dictionary<string, ApiKeyEntry>> state,
    TimeProvider clock) : Grain, IApiKeyDirectoryGrain
{
    public async Task AddAsync(string hash, ApiKeyInfo key)
    {
        if (state.State.TryGetValue(key.Id, out var existing) && existing.Hash == hash)
        {
            return;
        }

        state.State[key.Id] = new ApiKeyEntry(hash, key);
        await state.WriteOrRollbackAsync(this, () => Restore(key.Id, existing));
    }

    [ReadOnly]
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string? tenant) =>
        Task.FromResult<IReadOnlyList<ApiKeyInfo>>(
            [.. state.State.Values.Select(e => e.Key).Where(k => tenant is null || k.Tenant == tenant).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)]);

    [ReadOnly]
    public Task<ApiKeyInfo?> GetAsync(string id) => Task.FromResult(state.State.GetValueOrDefault(id)?.Key);

    public async Task<ApiKeyInfo?> RevokeAsync(string id)
    {
        if (!state.State.TryGetValue(id, out var entry))
        {
            return null;
        }

        // The key's own grain first: that is what requests ask, so the key stops working before this answers.
        var revoked = await GrainFactory.GetGrain<IApiKeyGrain>(entry.Hash).RevokeAsync(clock.GetUtcNow()) ?? entry.Key;
        state.State[id] = entry with { Key = revoked };
        await state.WriteOrRollbackAsync(this, () => state.State[id] = entry);
        return revoked;
    }

    public async Task<ApiKeyRolesChange?> SetRolesAsync(string id, IReadOnlyList<string> roles)
    {
        if (!state.State.TryGetValue(id, out var entry))
        {
            return null;
        }

        // The key's own grain first, as for a revocation: it holds what requests are granted.
        var change = await GrainFactory.GetGrain<IApiKeyGrain>(entry.Hash).SetRolesAsync(roles) ?? new(entry.Key, null);
        if (change.Key.Roles.SequenceEqual(entry.Key.Roles, StringComparer.Ordinal))
        {
            return change; // revoked, or holding these roles already: nothing to write
        }

        state.State[id] = entry with { Key = change.Key };
        await state.WriteOrRollbackAsync(this, () => state.State[id] = entry);
        return change;
    }

    private void Restore(string id, ApiKeyEntry? previous)
    {
        if (previous is null)
        {
            state.State.Remove(id);
        }
        else
        {
            state.State[id] = previous;
        }
    }
}
