using System.Globalization;
using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Conversations;

/// <summary>A user's conversations in creation order. The cursor is a position, newest first.</summary>
public sealed class ConversationDirectoryGrain(
    [PersistentState("conversationDirectory", OpenCodeStorage.Name)] IPersistentState<List<ConversationSummary>> state)
    : Grain, IConversationDirectoryGrain
{
    public async Task AddAsync(ConversationSummary conversation)
    {
        state.State.Add(conversation);
        await state.WriteOrRollbackAsync(() => state.State.RemoveAt(state.State.Count - 1));
    }

    public async Task RemoveAsync(string conversationId)
    {
        var index = state.State.FindIndex(c => c.Id == conversationId);
        if (index < 0)
        {
            return;
        }

        var removed = state.State[index];
        state.State.RemoveAt(index);
        await state.WriteOrRollbackAsync(() => state.State.Insert(index, removed));
    }

    [ReadOnly]
    public Task<ConversationListPage> ListAsync(string? cursor, int limit)
    {
        // Newest first: position 0 is the last one added. A cursor is the position to continue from.
        var skip = int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : 0;
        var all = state.State;
        var page = new List<ConversationSummary>(Math.Min(limit, all.Count));
        for (var i = all.Count - 1 - skip; i >= 0 && page.Count < limit; i--)
        {
            page.Add(all[i]);
        }

        var next = skip + page.Count < all.Count ? (skip + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return Task.FromResult(new ConversationListPage(page, next));
    }
}
