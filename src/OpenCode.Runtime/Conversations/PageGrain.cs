using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A page of an append-only list. Each list type has its own subclass so its state name is its own. A page is
/// written once and its writer keeps it cached, so it leaves memory right after the write instead of staying
/// active with its items until idle collection; a reader paging through old history activates it again.
/// </summary>
public abstract class PageGrain<T>(IPersistentState<List<T>> state) : Grain, IPageGrain<T>
{
    public async Task WriteAsync(IReadOnlyList<T> items)
    {
        state.State = [.. items];
        await state.WriteStateAsync();
        DeactivateOnIdle();
    }

    [ReadOnly]
    public Task<IReadOnlyList<T>> ReadAsync() => Task.FromResult<IReadOnlyList<T>>(state.State);

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
