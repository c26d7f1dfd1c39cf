using System.Runtime.CompilerServices;

namespace OpenCode.Abstractions;

/// <summary>
/// Follows a conversation's event log by long-polling its grain, which may live on any silo: what the gateway's SSE
/// and WebSocket relays and the client library read events through.
/// </summary>
public static class ConversationEventFeed
{
    /// <summary>
    /// How much longer than its wait a read may take before it is given up and retried: a call in flight to a silo
    /// that died is not failed until its response timeout (minutes), so without this the events would stop that long.
    /// </summary>
    private static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Batches of the events after <paramref name="after"/> (<paramref name="first"/>, when the caller read it
    /// already), replay first, then live ones as they come; an empty batch when none came within
    /// <paramref name="wait"/>. A failed read (the grain's silo went away, a timeout) is retried with backoff from the
    /// last seq, so nothing is skipped or repeated; errors of the conversation itself (<see cref="OpenCodeException"/>)
    /// end it. Endless until <paramref name="cancellationToken"/> ends it (which stops only this reader, never the turn).
    /// </summary>
    public static async IAsyncEnumerable<ConversationEventBatch> FollowAsync(
        this IConversationGrain conversation,
        long after,
        TimeSpan wait,
        ConversationEventBatch? first = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var retryDelay = FirstRetryDelay;
        var batch = first;
        // One deadline for the reads of this feed (a timer per read would cost a contended lock per event); replaced
        // when it cuts a read off.
        var deadline = new CoarseDeadline(cancellationToken);
        try
        {
            while (true)
            {
                if (batch is null)
                {
                    if (deadline.IsSpent)
                    {
                        deadline.Dispose();
                        deadline = new CoarseDeadline(cancellationToken);
                    }

                    deadline.Start(wait + ReadGrace);
                    try
                    {
                        batch = await conversation.ReadEventsAsync(after, wait, deadline.Token);
                        retryDelay = FirstRetryDelay;
                    }
                    catch (Exception e) when (IsTransient(e, cancellationToken))
                    {
                        await Task.Delay(retryDelay, cancellationToken);
                        retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                        continue;
                    }
                    finally
                    {
                        deadline.Stop();
                    }
                }

                yield return batch;
                // LastSeq, not the last event's seq: it moves past the gaps of dropped deltas.
                after = batch.LastSeq;
                batch = null;
            }
        }
        finally
        {
            deadline.Dispose();
        }
    }

    /// <summary>Failures of the call rather than of the conversation: a silo that went away, a rejected or timed-out message.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OpenCodeException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        OrleansException or TimeoutException => true,
        _ => false,
    };
}
