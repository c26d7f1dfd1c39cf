using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;

namespace OpenCode.Runtime.Tests.Conversations;

/// <summary>Which history pages a conversation keeps in memory, against real page grains.</summary>
[Collection(RuntimeClusterCollection.Name)]
public sealed class HistoryPageCacheTests(RuntimeCluster runtime)
{
    private const int Pages = 10;

    [Fact]
    public async Task A_conversation_keeps_the_pages_its_window_spans_and_reads_older_ones_back_when_a_wider_window_needs_them()
    {
        var history = new ConversationHistory(
            new ConversationState(), runtime.Grains, GrainKeys.Conversation(GrainKeys.LocalTenant, RuntimeCluster.Owner, $"conv-{Guid.NewGuid():N}"), maskForModels: false);
        for (var i = 0; i <= Pages * ConversationHistory.PageSize; i++)
        {
            history.Append(ContextWindowTests.Message(i));
            await history.SpillAsync();
        }

        Assert.Equal(Enumerable.Range(0, Pages).Select(p => (long)p), history.CachedPages.Order());
        var window = new ContextWindow(new TokenCounter());

        var narrow = await window.BuildAsync(ContextWindowTests.Model(contextWindow: 300), null, "", history);
        Assert.InRange(narrow.Count, 2, ConversationHistory.PageSize);
        Assert.Equal([Pages - 1L], history.CachedPages);

        var wide = await window.BuildAsync(ContextWindowTests.Model(contextWindow: null), null, "", history);
        Assert.Equal(Pages * ConversationHistory.PageSize + 1, wide.Count);
        Assert.Equal(ContextWindowTests.Message(0).Content, wide[0].Text);
        Assert.Equal(Pages, history.CachedPages.Count());

        Assert.Equal(narrow.Select(m => m.Text), (await window.BuildAsync(ContextWindowTests.Model(contextWindow: 300), null, "", history)).Select(m => m.Text));
        Assert.Equal([Pages - 1L], history.CachedPages);
    }
}
