using System.Runtime.CompilerServices;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Streaming;

/// <summary>Follows a conversation's event log by long-polling its grain, which may live on any silo.</summary>
public static class ConversationEventFeed
{
    /// <summary>
    /// Batches of the events after <paramref name="after"/>, replay first, then live ones as they come; an empty batch
    /// when none came within <paramref name="wait"/>. Endless until <paramref name="cancellationToken"/> ends the
    /// current read (which stops only this reader, never the conversation's turn).
    /// </summary>
    public static async IAsyncEnumerable<ConversationEventBatch> FollowAsync(
        IConversationGrain conversation,
        long after,
        TimeSpan wait,
        ConversationEventBatch? first = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batch = first ?? await conversation.ReadEventsAsync(after, wait, cancellationToken);
        while (true)
        {
            yield return batch;
            // LastSeq, not the last event's seq: it moves past the gaps of dropped deltas.
            batch = await conversation.ReadEventsAsync(batch.LastSeq, wait, cancellationToken);
        }
    }
}
