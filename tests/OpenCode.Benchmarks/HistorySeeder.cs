using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime;
using OpenCode.Runtime.Conversations;
using OpenCode.Testing;
using Orleans.Storage;

namespace OpenCode.Benchmarks;

/// <summary>
/// Lengthens conversations of a stopped gateway's data directory to millions of messages in seconds rather than
/// hours of turns. A silo of the embedded profile runs in this process on the same data directory: history pages
/// are written through the real <see cref="IHistoryPageGrain"/>s, and the head through the same storage provider,
/// state name and grain id the conversation grain reads, so the gateway loads exactly what turns would have left:
/// full pages of <see cref="ConversationHistory.PageSize"/> and a head holding the newest 1 to 32 messages.
/// </summary>
public sealed class HistorySeeder : IAsyncDisposable
{
    private const string HeadStateName = "conversation";

    private readonly IHost _host;

    private HistorySeeder(IHost host) => _host = host;

    public static async Task<HistorySeeder> StartAsync(string dataDirectory)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENCODE_DATA_DIR"] = dataDirectory,
            ["Orleans:SiloPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseOpenCodeSilo(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new HistorySeeder(host);
    }

    /// <summary>
    /// Lengthens conversation <paramref name="conversationId"/> (idle, all its messages still in its head) to
    /// <paramref name="messageCount"/> messages, repeating the shape of the turns it already has.
    /// </summary>
    public async Task ExtendAsync(string conversationId, long messageCount)
    {
        var grains = _host.Services.GetRequiredService<IGrainFactory>();
        var storage = _host.Services.GetRequiredKeyedService<IGrainStorage>(OpenCodeStorage.Name);
        var key = GrainKeys.Conversation(GrainKeys.LocalTenant, "local", conversationId);
        var grainId = grains.GetGrain<IConversationGrain>(key).GetGrainId();
        var head = new GrainState<ConversationState>(new ConversationState());
        await storage.ReadStateAsync(HeadStateName, grainId, head);
        var state = head.State ?? throw new InvalidOperationException($"Conversation {conversationId} has no state.");
        var existing = state.Head;
        if (!head.RecordExists || state.PagedCount != 0 || state.Turn is not null || existing.Count < 2 || existing.Count % 2 != 0)
        {
            throw new InvalidOperationException($"Conversation {conversationId} must exist, be idle and hold whole turns in its head only "
                + $"(exists: {head.RecordExists}, paged: {state.PagedCount}, turn: {state.Turn?.TurnId ?? "none"}, head: {existing.Count} messages).");
        }

        // Turns alternate a user message and the reply: message i repeats the shape of existing message i mod n.
        ConversationMessage Message(long index) => index < existing.Count ? existing[(int)index] : Seeded(existing[(int)(index % existing.Count)] with
        {
            Index = index,
            Content = index % 2 == 0 ? $"message {index / 2}" : $"echo: message {index / 2}",
            TurnId = $"turn-seeded-{index / 2}",
        });

        // What the history sets when a message enters it.
        static ConversationMessage Seeded(ConversationMessage message) => message with { TokenCount = TokenCounter.UpperBound(message) };

        var pagedCount = (messageCount - 1) / ConversationHistory.PageSize * ConversationHistory.PageSize;
        await Parallel.ForEachAsync(
            LongRange(pagedCount / ConversationHistory.PageSize),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (page, _) =>
            {
                var first = page * ConversationHistory.PageSize;
                await grains.GetGrain<IHistoryPageGrain>(GrainKeys.HistoryPage(key, page))
                    .WriteAsync([.. LongRange(ConversationHistory.PageSize).Select(i => Message(first + i))]);
            });

        state.Head = [.. LongRange(messageCount - pagedCount).Select(i => Message(pagedCount + i))];
        state.PagedCount = pagedCount;
        await storage.WriteStateAsync(HeadStateName, grainId, head);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (var i = 0L; i < count; i++)
        {
            yield return i;
        }
    }
}
