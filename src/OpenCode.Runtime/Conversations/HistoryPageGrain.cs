using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Conversations;

/// <summary>A fixed-size page of older messages. Written once when the conversation head spills over.</summary>
public sealed class HistoryPageGrain(
    [PersistentState("historyPage", OpenCodeStorage.Name)] IPersistentState<List<ConversationMessage>> state)
    : Grain, IHistoryPageGrain
{
    public async Task WriteAsync(IReadOnlyList<ConversationMessage> messages)
    {
        state.State = [.. messages];
        await state.WriteStateAsync();
    }

    [ReadOnly]
    public Task<IReadOnlyList<ConversationMessage>> ReadAsync() => Task.FromResult<IReadOnlyList<ConversationMessage>>(state.State);

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
