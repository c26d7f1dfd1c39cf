using System.Globalization;
using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A user's conversations, newest first. Appends spill into pages, so creating a conversation costs the
/// same for the first and the ten-thousandth. The cursor is a position in the append-only sequence.
/// </summary>
public sealed class ConversationDirectoryGrain(
    [PersistentState("conversationDirectory", OpenCodeStorage.Name)] IPersistentState<ConversationDirectoryState> state)
    : Grain, IConversationDirectoryGrain
{
    public const int PageSize = 128;

    private readonly Dictionary<long, IReadOnlyList<ConversationSummary>> _pages = [];

    private ConversationDirectoryState Directory => state.State;

    public async Task AddAsync(ConversationSummary conversation)
    {
        Directory.Head.Add(conversation);
        await state.WriteOrRollbackAsync(this, () => Directory.Head.RemoveAt(Directory.Head.Count - 1));
        if (Directory.Head.Count >= 2 * PageSize)
        {
            await SpillAsync();
        }
    }

    /// <summary>A tombstone, not a removal: positions (and so cursors handed out) stay valid.</summary>
    public async Task RemoveAsync(string conversationId)
    {
        if (Directory.Removed.Add(conversationId))
        {
            await state.WriteOrRollbackAsync(this, () => Directory.Removed.Remove(conversationId));
        }
    }

    [ReadOnly]
    public async Task<ConversationListPage> ListAsync(string? cursor, int limit)
    {
        // Positions count down from the newest entry; the cursor is the position to continue from.
        var position = Directory.Count - 1;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out position) || position >= Directory.Count))
        {
            throw new ValidationFailedException([new FieldError("cursor", $"'{cursor}' is not a cursor of this list")]);
        }

        var page = new List<ConversationSummary>(Math.Min(limit, 64));
        for (; position >= 0 && page.Count < limit; position--)
        {
            var entry = await EntryAsync(position);
            if (!Directory.Removed.Contains(entry.Id))
            {
                page.Add(entry);
            }
        }

        var next = position >= 0 ? position.ToString(CultureInfo.InvariantCulture) : null;
        return new ConversationListPage(page, next);
    }

    /// <summary>Moves the oldest page of the head out; the page is written before the head that drops it.</summary>
    private async Task SpillAsync()
    {
        var pageNumber = Directory.PagedCount / PageSize;
        var entries = Directory.Head.GetRange(0, PageSize);
        await Page(pageNumber).WriteAsync(entries);
        Directory.Head.RemoveRange(0, PageSize);
        Directory.PagedCount += PageSize;
        await state.WriteOrRollbackAsync(this, () =>
        {
            Directory.Head.InsertRange(0, entries);
            Directory.PagedCount -= PageSize;
        });
    }

    private async ValueTask<ConversationSummary> EntryAsync(long position)
    {
        if (position >= Directory.PagedCount)
        {
            return Directory.Head[(int)(position - Directory.PagedCount)];
        }

        var pageNumber = position / PageSize;
        if (!_pages.TryGetValue(pageNumber, out var entries))
        {
            _pages[pageNumber] = entries = await Page(pageNumber).ReadAsync();
        }

        return entries[(int)(position % PageSize)];
    }

    private IConversationDirectoryPageGrain Page(long pageNumber) =>
        GrainFactory.GetGrain<IConversationDirectoryPageGrain>(GrainKeys.ConversationDirectoryPage(this.GetPrimaryKeyString(), pageNumber));
}
