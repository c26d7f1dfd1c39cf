using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenCode.Abstractions;

namespace OpenCode.Integration.Tests.History;

/// <summary>
/// Point 7 of the cluster profile, end to end through a gateway process: a history of ten thousand messages reads
/// back whole through <c>GET .../messages</c>, and what a turn writes does not grow with the history's length.
/// </summary>
public sealed class LargeHistoryTests(LongConversation history) : IClassFixture<LongConversation>
{
    private const int PageLimit = 200;

    /// <summary>Two full cycles of the head filling up and spilling a page, so both conversations are compared over the same work.</summary>
    private const int MeasuredTurns = 32;

    [Fact]
    public async Task The_whole_history_pages_back_through_the_API_after_a_restart()
    {
        // A new process: every page comes from storage, none from the conversation's page cache.
        await history.RestartGatewayAsync();
        var count = await history.MessageCountAsync(history.ConversationId);
        Assert.True(count >= LongConversation.InitialMessages, $"{count} messages");

        var pages = new List<JsonArray>();
        string? before = null;
        do
        {
            var url = $"/conversations/{history.ConversationId}/messages?limit={PageLimit}" + (before is null ? "" : $"&before={before}");
            var page = (await history.Gateway.Client.GetFromJsonAsync<JsonObject>(url))!;
            var messages = page["messages"]!.AsArray();
            Assert.InRange(messages.Count, 1, PageLimit);
            pages.Add(messages);
            before = (string?)page["next"];
            Assert.True(pages.Count <= count / PageLimit + 1, "the cursor does not reach the oldest message");
        }
        while (before is not null);

        // Newest page first, oldest first within a page.
        var all = pages.AsEnumerable().Reverse().SelectMany(p => p).ToList();
        Assert.Equal(count, all.Count);
        for (var index = 0; index < all.Count; index++)
        {
            Assert.Equal(MessageIds.Format(index), (string?)all[index]!["id"]);
            Assert.Equal(LongConversation.ExpectedContent(index), (string?)all[index]!["content"]);
        }
    }

    [Fact]
    public async Task A_turn_writes_as_much_at_ten_thousand_messages_as_at_ten()
    {
        var fresh = await history.CreateConversationAsync();
        for (var turn = 0; turn < 5; turn++)
        {
            await history.SendAsync(fresh, turn);
        }

        Assert.Equal(10, await history.MessageCountAsync(fresh));
        var shortBytes = await BytesWrittenByTurnsAsync(fresh, firstTurn: 5);

        var length = await history.MessageCountAsync(history.ConversationId);
        Assert.True(length >= LongConversation.InitialMessages, $"{length} messages");
        var longBytes = await BytesWrittenByTurnsAsync(history.ConversationId, firstTurn: length / 2);

        Assert.True(shortBytes > 0, "the turns wrote nothing");
        // A paged history writes the head (at most 32 messages) and now and then one page, at any length; the only
        // growth allowed is in the encoding of bigger numbers (message indexes, counters).
        Assert.True(longBytes <= shortBytes * 1.1, $"{MeasuredTurns} turns wrote {longBytes} bytes at {length} messages, {shortBytes} at 10");
    }

    /// <summary>
    /// Bytes of state the gateway stored over <see cref="MeasuredTurns"/> turns, read from its SQLite database: each
    /// turn, every row whose version moved counts its payload once per version (a turn checkpoints its head more
    /// than once).
    /// </summary>
    private async Task<long> BytesWrittenByTurnsAsync(string conversationId, long firstTurn)
    {
        var total = 0L;
        var before = await SnapshotAsync();
        for (var turn = firstTurn; turn < firstTurn + MeasuredTurns; turn++)
        {
            await history.SendAsync(conversationId, turn);
            var after = await SnapshotAsync();
            foreach (var (key, (version, bytes)) in after)
            {
                var previous = before.TryGetValue(key, out var row) ? row.Version : 0;
                total += (version - previous) * bytes;
            }

            before = after;
        }

        return total;
    }

    private async Task<Dictionary<string, (long Version, long Bytes)>> SnapshotAsync()
    {
        var path = Path.Combine(history.Gateway.DataDirectory, "opencode.db");
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state_name, grain_id, version, length(payload) FROM grain_state";
        var rows = new Dictionary<string, (long, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0) + "|" + reader.GetString(1)] = (reader.GetInt64(2), reader.GetInt64(3));
        }

        return rows;
    }
}
