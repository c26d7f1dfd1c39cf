using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Conversations;

/// <summary>A page of an append-only list. Each list type has its own subclass so its state name is its own.</summary>
public abstract class PageGrain<T>(IPersistentState<List<T>> state) : Grain, IPageGrain<T>
{
    public async Task WriteAsync(IReadOnlyList<T> items)
    {
        state.State = [.. items];
        await state.WriteStateAsync();
    }

    [ReadOnly]
    public Task<IReadOnlyList<T>> ReadAsync() => Task.FromResult<IReadOnlyList<T>>(state.State);

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
