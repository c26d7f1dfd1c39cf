using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Security;

/// <summary>One API key's grants, keyed by the key's hash. Read on every request the key authenticates.</summary>
public sealed class ApiKeyGrain(
    [PersistentState("apiKey", OpenCodeStorage.Name)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    [ReadOnly]
    public Task<ApiKeyInfo?> GetAsync()
    {
        if (state.State.Key is null)
        {
            // A made-up key: do not hold an activation for it until idle collection.
            DeactivateOnIdle();
        }

        return Task.FromResult(state.State.Key);
    }

    public async Task<ApiKeyInfo> IssueAsync(ApiKeyInfo key)
    {
        if (state.State.Key is { } existing)
        {
            return existing.Id == key.Id
                ? existing
                : throw new InvalidOperationException("Another key with the same hash exists.");
        }

        state.State.Key = key;
        await state.WriteOrRollbackAsync(this, () => state.State.Key = null);
        return key;
    }

    public async Task<ApiKeyInfo?> RevokeAsync(DateTimeOffset at)
    {
        if (state.State.Key is not { } key || key.IsRevoked)
        {
            return state.State.Key;
        }

        state.State.Key = key with { RevokedAt = at };
        await state.WriteOrRollbackAsync(this, () => state.State.Key = key);
        return state.State.Key;
    }

    public async Task<ApiKeyRolesChange?> SetRolesAsync(IReadOnlyList<string> roles)
    {
        if (state.State.Key is not { } key)
        {
            return null;
        }

        if (key.IsRevoked || key.Roles.SequenceEqual(roles, StringComparer.Ordinal))
        {
            return new(key, null);
        }

        state.State.Key = key with { Roles = [.. roles] };
        await state.WriteOrRollbackAsync(this, () => state.State.Key = key);
        return new(state.State.Key, key.Roles);
    }
}
