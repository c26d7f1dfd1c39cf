using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;

namespace OpenCode.Runtime.Tests.Conversations;

[Collection(RuntimeClusterCollection.Name)]
public sealed class ConversationDirectoryGrainTests(RuntimeCluster runtime)
{
    [Fact]
    public async Task Many_conversations_page_newest_first_with_deletions_left_out()
    {
        var directory = runtime.Grains.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(GrainKeys.LocalTenant, "dir-" + Guid.NewGuid().ToString("N")));
        var total = 3 * ConversationDirectoryGrain.PageSize + 17; // several spilled pages plus a head
        for (var i = 0; i < total; i++)
        {
            await directory.AddAsync(new ConversationSummary($"c{i}", "agent", DateTimeOffset.UnixEpoch.AddSeconds(i)));
        }

        await directory.RemoveAsync("c5");
        await directory.RemoveAsync($"c{total - 1}");

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await directory.ListAsync(cursor, 50);
            Assert.True(page.Conversations.Count <= 50);
            listed.AddRange(page.Conversations.Select(c => c.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        var expected = Enumerable.Range(0, total).Reverse().Select(i => $"c{i}").Where(id => id is not "c5" && id != $"c{total - 1}");
        Assert.Equal(expected, listed);
        var firstPage = await runtime.Grains.GetGrain<IConversationDirectoryPageGrain>(
            GrainKeys.ConversationDirectoryPage(directory.GetPrimaryKeyString(), 0)).ReadAsync();
        Assert.Equal(ConversationDirectoryGrain.PageSize, firstPage.Count);
    }
}
