using OpenCode.Abstractions;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// The event relays of one socket, per conversation: a subscription to every event, or the relays of turns the socket
/// started while not subscribed. An event goes out once even when both apply: a subscription replaces the turn relays
/// and skips what they already sent.
/// </summary>
public sealed class ConversationSubscriptions(WebSocketSendQueue send, TimeSpan wait, ILogger logger, CancellationToken closing) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Relays> _conversations = new(StringComparer.Ordinal);

    /// <summary>
    /// Replaces the conversation's relays with a subscription to its events after <paramref name="after"/>, starting
    /// with <paramref name="first"/>. Returns the relay to <see cref="EventRelay.Start"/> once the response is queued.
    /// </summary>
    public async Task<EventRelay> SubscribeAsync(IConversationGrain conversation, string conversationId, long after, ConversationEventBatch first)
    {
        await _gate.WaitAsync(closing);
        try
        {
            var relays = RelaysOf(conversationId);
            var sent = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var relay in relays.Turns)
            {
                await relay.StopAsync();
                sent[relay.TurnId!] = relay.SentThrough;
            }

            relays.Turns.Clear();
            if (relays.All is { } previous)
            {
                await previous.StopAsync();
            }

            relays.All = new EventRelay(
                conversation, conversationId, after, first, turnId: null,
                alreadySent: e => e.TurnId is not null && sent.TryGetValue(e.TurnId, out var through) && e.Seq <= through,
                send, wait, logger, closing);
            return relays.All;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops relaying the conversation's events, those of the turns this socket started included.</summary>
    public async Task UnsubscribeAsync(string conversationId)
    {
        await _gate.WaitAsync(closing);
        try
        {
            if (_conversations.Remove(conversationId, out var relays))
            {
                await StopAllAsync(relays);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A relay of one turn's events, or null when a subscription already relays them. Start it once the response
    /// that announces the turn is queued.
    /// </summary>
    public async Task<EventRelay?> FollowTurnAsync(IConversationGrain conversation, string conversationId, AcceptedTurn turn)
    {
        await _gate.WaitAsync(closing);
        try
        {
            var relays = RelaysOf(conversationId);
            if (relays.All is not null)
            {
                return null;
            }

            foreach (var done in relays.Turns.Where(r => r.IsCompleted).ToList())
            {
                await done.StopAsync();
                relays.Turns.Remove(done);
            }

            var relay = new EventRelay(conversation, conversationId, turn.AfterSeq, first: null, turn.TurnId, alreadySent: _ => false, send, wait, logger, closing);
            relays.Turns.Add(relay);
            return relay;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var relays in _conversations.Values)
            {
                await StopAllAsync(relays);
            }

            _conversations.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private Relays RelaysOf(string conversationId)
    {
        if (!_conversations.TryGetValue(conversationId, out var relays))
        {
            relays = new Relays();
            _conversations[conversationId] = relays;
        }

        return relays;
    }

    private static async Task StopAllAsync(Relays relays)
    {
        foreach (var relay in relays.Turns)
        {
            await relay.StopAsync();
        }

        if (relays.All is { } all)
        {
            await all.StopAsync();
        }
    }

    private sealed class Relays
    {
        public EventRelay? All { get; set; }

        public List<EventRelay> Turns { get; } = [];
    }
}
