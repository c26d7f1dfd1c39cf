using OpenCode.Abstractions;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>The events one subscription received for one conversation, in arrival order, and what must hold of them.</summary>
public sealed class ConversationSubscriber(string conversationId)
{
    private readonly List<ReceivedEvent> _events = [];
    private readonly Lock _lock = new();
    private int _terminalEvents;

    public string ConversationId { get; } = conversationId;

    public int TerminalEvents => Volatile.Read(ref _terminalEvents);

    public void Add(ReceivedEvent received)
    {
        lock (_lock)
        {
            _events.Add(received);
        }

        if (ConversationEventTypes.IsTerminal(received.Type))
        {
            Interlocked.Increment(ref _terminalEvents);
        }
    }

    /// <summary>
    /// What is wrong with what arrived, given the replies of the turns run on the conversation, in order (empty when
    /// all is well): every seq exactly once and in order with none missing, each turn from <c>turn.started</c> to
    /// exactly one terminal event (<c>turn.completed</c>), its deltas spelling the whole reply.
    /// </summary>
    public IEnumerable<string> Problems(IReadOnlyList<string> replies)
    {
        List<ReceivedEvent> events;
        lock (_lock)
        {
            events = [.. _events];
        }

        if (events.Count > 0 && events[0].Seq != 1)
        {
            yield return $"{ConversationId}: the first event to arrive was seq {events[0].Seq} ({events[0].Type}), not seq 1";
        }

        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].Seq != events[i - 1].Seq + 1)
            {
                yield return $"{ConversationId}: seq {events[i].Seq} ({events[i].Type}) came after seq {events[i - 1].Seq}";
            }
        }

        var turns = events.Where(e => e.TurnId is not null).GroupBy(e => e.TurnId!).ToList();
        if (turns.Count != replies.Count)
        {
            yield return $"{ConversationId}: events of {turns.Count} turns, {replies.Count} were run";
            yield break;
        }

        for (var t = 0; t < turns.Count; t++)
        {
            var turn = turns[t].ToList();
            if (turn[0].Type != ConversationEventTypes.TurnStarted)
            {
                yield return $"{ConversationId}: turn {turns[t].Key} began with {turn[0].Type}; its events: "
                    + string.Join(", ", turn.Take(8).Select(e => $"{e.Seq} {e.Type}"));
            }

            var terminal = turn.Where(e => e.IsTerminal).Select(e => e.Type).ToList();
            if (terminal is not [ConversationEventTypes.TurnCompleted] || !turn[^1].IsTerminal)
            {
                yield return $"{ConversationId}: turn {turns[t].Key} ended with [{string.Join(", ", terminal)}], last event {turn[^1].Type}";
            }

            var text = string.Concat(turn.Where(e => e.Type == ConversationEventTypes.MessageDelta).Select(e => e.Text));
            if (text != replies[t])
            {
                yield return $"{ConversationId}: turn {turns[t].Key} deltas spelled \"{text}\", the reply was \"{replies[t]}\"";
            }
        }
    }
}
