using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using Orleans.Serialization;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>
/// The bytes a conversation's checkpoint, its pages and its grain-call answers are made of, against the bytes this
/// version's predecessors wrote (files under <c>Formats/</c>). Equal bytes mean both ways: a silo of this version reads
/// what earlier silos stored, and one of an earlier version, still running during a rolling upgrade, reads what this
/// one stores. A change of format has to come with a reader for the old one, and new files.
/// </summary>
public sealed class StoredFormatTests
{
    private static readonly Serializer Serializer = SiloSerializer.Instance;

    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_checkpoint_is_written_and_read_as_earlier_versions_wrote_it() =>
        AssertStoredAs("conversation-state", Checkpoint());

    [Fact]
    public void A_history_page_is_written_and_read_as_earlier_versions_wrote_it() =>
        AssertStoredAs("history-page", Turn("turn-1", 0, Shared.Usage, Shared.Call).Messages);

    [Fact]
    public void An_event_page_is_written_and_read_as_earlier_versions_wrote_it() =>
        AssertStoredAs("event-page", Turn("turn-1", 0, Shared.Usage, Shared.Call).Events);

    [Fact]
    public void A_turn_outcome_and_an_event_batch_travel_as_earlier_versions_sent_them()
    {
        var (messages, events, _) = Turn("turn-1", 0, Shared.Usage, Shared.Call);
        AssertStoredAs("turn-outcome", new TurnOutcome { TurnId = "turn-1", UserMessage = messages[0], Reply = messages[^1] });
        AssertStoredAs("event-batch", new ConversationEventBatch(
            events.Select(e => e.Type == ConversationEventTypes.MessageCompleted ? e with { Message = messages.Single(m => m.Id == e.MessageId) } : e).ToList(),
            events[^1].Seq));
    }

    [Fact]
    public void Messages_and_events_are_written_whole_each_time_they_occur_so_a_checkpoint_tracks_no_table_of_them()
    {
        // Reference tracking would put every message and event of a head into one table per checkpoint (an
        // overflow dictionary, rebuilt at every write). None occurs twice in any stored graph, which the files
        // above pin: equal bytes mean no graph held a reference back to one.
        var (messages, events, _) = Turn("turn-1", 0, Shared.Usage, Shared.Call);

        var twice = Serializer.Deserialize<(ConversationMessage, ConversationMessage, ConversationEvent, ConversationEvent)>(
            Serializer.SerializeToArray((messages[0], messages[0], events[0], events[0])));

        Assert.Equal(twice.Item1, twice.Item2);
        Assert.NotSame(twice.Item1, twice.Item2);
        Assert.Equal(twice.Item3, twice.Item4);
        Assert.NotSame(twice.Item3, twice.Item4);
    }

    private static void AssertStoredAs<T>(string name, T value)
    {
        var stored = Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Persistence", "Formats", name + ".b64")));

        Assert.Equal(stored, Serializer.SerializeToArray(value));
        Assert.Equal(stored, Serializer.SerializeToArray(Serializer.Deserialize<T>(stored)));
    }

    /// <summary>Two turns' checkpoint: records shared the way the grain shares them (a call in its step and its event, one usage in several places).</summary>
    private static ConversationState Checkpoint()
    {
        var first = Turn("turn-1", 0, Shared.Usage, Shared.Call);
        var second = Turn("turn-2", first.Messages.Count, TokenUsage.Zero, Shared.Call with { Id = "call-2", Status = ToolCallStatuses.Failed, Result = "boom" });
        return new ConversationState
        {
            AgentId = "agent-1",
            AgentVersion = 3,
            Owner = "alice",
            CreatedAt = At,
            Metadata = new Dictionary<string, string> { ["topic"] = "weather" },
            Head = [.. first.Messages, .. second.Messages],
            Usage = Shared.Usage,
            Permissions = new Dictionary<string, ToolPermission> { ["web_fetch"] = "ask" },
            AlwaysAllowed = ["weather_lookup"],
            AnsweredApprovals = [new AnsweredApproval("approval-1", ApprovalDecisions.Once)],
            Events = [.. first.Events, .. second.Events],
            LastSeq = second.Events[^1].Seq,
            Turn = new ActiveTurn { TurnId = "turn-2", UserMessageIndex = first.Messages.Count, Steps = 1, Usage = Shared.Usage },
            Queue = [new QueuedMessage("turn-3", "and tomorrow?", Stream: true)],
            IdempotentTurns = [new IdempotentTurn { Key = "key-1", ContentHash = "hash-1", TurnId = "turn-1", AfterSeq = 0, UserMessageIndex = 0, Ended = true }],
        };
    }

    /// <summary>One turn as the grain records it: the user message, a step with a tool call, the answer, and their events.</summary>
    private static (List<ConversationMessage> Messages, List<ConversationEvent> Events, long LastSeq) Turn(string turnId, int start, TokenUsage usage, ToolCallRecord call)
    {
        List<ConversationMessage> messages =
        [
            new() { Index = start, Content = "What is the weather in Lisbon?", CreatedAt = At, TurnId = turnId, TokenCount = 8 },
            new() { Index = start + 1, Role = MessageRoles.Assistant, Content = "Looking it up.", ToolCalls = new List<ToolCallRecord> { call }, Usage = usage, CreatedAt = At, TurnId = turnId, TokenCount = 30 },
            new() { Index = start + 2, Role = MessageRoles.Assistant, Content = "Sunny, 23 °C.", Usage = usage, CreatedAt = At, TurnId = turnId, TokenCount = 5 },
        ];
        var seq = start * 2L;
        List<ConversationEvent> events =
        [
            new() { Seq = ++seq, Type = ConversationEventTypes.TurnStarted, TurnId = turnId, MessageId = messages[0].Id },
            new() { Seq = ++seq, Type = ConversationEventTypes.MessageCompleted, TurnId = turnId, MessageId = messages[0].Id },
            new() { Seq = ++seq, Type = ConversationEventTypes.ToolCallCompleted, TurnId = turnId, Call = call },
            new() { Seq = ++seq, Type = ConversationEventTypes.MessageCompleted, TurnId = turnId, MessageId = messages[1].Id },
            new() { Seq = ++seq, Type = ConversationEventTypes.MessageCompleted, TurnId = turnId, MessageId = messages[2].Id },
            new() { Seq = ++seq, Type = ConversationEventTypes.TurnCompleted, TurnId = turnId, MessageId = messages[2].Id, Usage = usage },
        ];
        return (messages, events, seq);
    }

    private static class Shared
    {
        public static readonly TokenUsage Usage = new(120, 14);

        public static readonly ToolCallRecord Call = new()
        {
            Id = "call-1",
            Name = "weather_lookup",
            ArgumentsJson = """{"city":"Lisbon"}""",
            Result = "Sunny, 23 °C",
            DurationMs = 12.5,
        };
    }
}
