using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A conversation's event log. Every event gets the next seq. Events other than deltas are kept with the
/// conversation's head and spill into <see cref="IEventPageGrain"/>s like history does, so a checkpoint writes a
/// bounded amount; <c>message.completed</c> keeps only the message id and is filled in from the history when
/// read, so messages are not stored twice. Deltas live in memory only, for the newest streamed message: a reader
/// attaching mid-message gets the text so far, one a little behind still gets every piece, and the complete
/// message stands in for them once the next message streams.
/// An event that records something (a message, a result, the end of a turn) becomes readable once it is durable
/// (the checkpoint after it was written), so no reader sees what a crash could take back. Deltas and
/// <c>tool.call.started</c> announce progress, not results: they are readable at once, unless an earlier event
/// still waits for its write.
/// </summary>
public sealed class ConversationEventLog(ConversationState state, ConversationHistory history, IGrainFactory grains, string conversationKey)
    : ICoarseTimed
{
    public const int PageSize = 64;

    /// <summary>The most events one read returns; a reader continues from the batch's last seq.</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// How far seq jumps when a conversation comes back with a turn unfinished: the deltas its lost activation
    /// handed out were never written, and their seqs must not be handed out again for other events.
    /// </summary>
    public const long SeqJumpAfterLoss = 1 << 20;

    private readonly List<ConversationEvent> _deltas = [];
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _readable = state.LastSeq;

    /// <summary>Readers waiting for an event (changed on the grain's thread only).</summary>
    private int _waiting;

    /// <summary>The earliest deadline of a waiting reader (a timestamp), when the ticker wakes them all.</summary>
    private long _wakeAt = long.MaxValue;

    /// <summary>The seq of the oldest event not yet written; 0 when every event is written.</summary>
    private long _unwrittenFrom;

    /// <summary>The newest seq a reader may see.</summary>
    public long ReadableSeq => _readable;

    /// <summary>Appends <paramref name="e"/> with the next seq (and <paramref name="turnId"/> unless it has its own); returns it as appended.</summary>
    public ConversationEvent Append(ConversationEvent e, string? turnId)
    {
        var appended = e with { Seq = ++state.LastSeq, TurnId = e.TurnId ?? turnId };
        if (appended.Type == ConversationEventTypes.MessageDelta)
        {
            if (_deltas.Count > 0 && _deltas[0].MessageId != appended.MessageId)
            {
                // A new message streams: the previous one is complete, and its message.completed stands in for its deltas.
                _deltas.Clear();
            }

            _deltas.Add(appended);
        }
        else
        {
            state.Events.Add(appended.Type == ConversationEventTypes.MessageCompleted ? appended with { Message = null } : appended);
        }

        if (_unwrittenFrom != 0)
        {
            return appended;
        }

        if (NeedsWrite(appended))
        {
            _unwrittenFrom = appended.Seq;
        }
        else
        {
            Publish(appended.Seq);
        }

        return appended;
    }

    /// <summary>The head was written with every event up to <paramref name="seq"/>: they become readable.</summary>
    public void Written(long seq)
    {
        if (_unwrittenFrom == 0 || _unwrittenFrom > seq)
        {
            return;
        }

        _unwrittenFrom = state.Events.FirstOrDefault(e => e.Seq > seq && NeedsWrite(e))?.Seq ?? 0;
        Publish(_unwrittenFrom == 0 ? state.LastSeq : _unwrittenFrom - 1);
    }

    /// <summary>Moves each full page out of the head before the head is written; pages are written first.</summary>
    public async Task SpillAsync()
    {
        while (state.Events.Count > PageSize)
        {
            await PageGrain(state.PagedEvents / PageSize).WriteAsync(state.Events.GetRange(0, PageSize));
            state.Events.RemoveRange(0, PageSize);
            state.PagedEvents += PageSize;
        }
    }

    /// <summary>
    /// The readable events after <paramref name="after"/>, at once when there are any, else the first to come
    /// within <paramref name="wait"/>. A seq beyond the readable ones (handed out by an activation that was lost)
    /// reads from the newest readable event on.
    /// </summary>
    public async Task<ConversationEventBatch> ReadAsync(long after, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = CoarseTicker.After(TimeProvider.System.GetTimestamp(), wait);
        while (true)
        {
            var from = Math.Min(after, _readable);
            if (from < _readable)
            {
                return await ReadAfterAsync(from);
            }

            if (TimeProvider.System.GetTimestamp() >= deadline)
            {
                return new ConversationEventBatch([], _readable);
            }

            cancellationToken.ThrowIfCancellationRequested();
            await WaitAsync(deadline, cancellationToken);
        }
    }

    /// <summary>Wakes readers whose deadline passed; the ones whose has not wait again.</summary>
    public void OnTick(long timestamp)
    {
        if (Volatile.Read(ref _wakeAt) <= timestamp && Interlocked.Exchange(ref _wakeAt, long.MaxValue) <= timestamp)
        {
            Wake();
        }
    }

    /// <summary>Every event page written so far, for deleting the conversation.</summary>
    public IEnumerable<IEventPageGrain> AllPages()
    {
        for (var pageNumber = 0L; pageNumber < state.PagedEvents / PageSize; pageNumber++)
        {
            yield return PageGrain(pageNumber);
        }
    }

    private static bool NeedsWrite(ConversationEvent e) =>
        e.Type is not ConversationEventTypes.MessageDelta and not ConversationEventTypes.ToolCallStarted;

    private void Publish(long seq)
    {
        _readable = seq;
        Wake();
    }

    /// <summary>
    /// Waits until an event is published, <paramref name="deadline"/> has passed (noticed by <see cref="CoarseTicker"/>,
    /// one timer for every log, rather than one per read) or the reader is cancelled; any of them wakes every waiting
    /// reader of this log, and each looks again.
    /// </summary>
    private async Task WaitAsync(long deadline, CancellationToken cancellationToken)
    {
        var published = _published.Task;
        // The earliest deadline of the waiting readers wins; the ticker only resets it when it wakes them all.
        var wakeAt = Volatile.Read(ref _wakeAt);
        while (deadline < wakeAt)
        {
            var seen = Interlocked.CompareExchange(ref _wakeAt, deadline, wakeAt);
            if (seen == wakeAt)
            {
                break;
            }

            wakeAt = seen;
        }

        if (_waiting++ == 0)
        {
            CoarseTicker.Register(this);
        }

        try
        {
            using (cancellationToken.UnsafeRegister(static log => ((ConversationEventLog)log!).Wake(), this))
            {
                await published;
            }
        }
        finally
        {
            if (--_waiting == 0)
            {
                CoarseTicker.Unregister(this);
            }
        }
    }

    /// <summary>Completes what readers wait on; called on the grain's thread, the ticker's or a canceller's.</summary>
    private void Wake() =>
        Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task<ConversationEventBatch> ReadAfterAsync(long after)
    {
        var readable = _readable;
        var kept = new List<ConversationEvent>();
        if (state.Events.Count == 0 || state.Events[0].Seq > after + 1)
        {
            await ReadPagesAsync(after, kept);
        }

        // Read on every token by every reader: index ranges rather than filters over the whole head.
        for (var i = FirstAfter(state.Events, after); i < state.Events.Count && state.Events[i].Seq <= readable; i++)
        {
            kept.Add(state.Events[i]);
        }

        // Both are in seq order: merged, up to a batch.
        var d = FirstAfter(_deltas, after);
        var events = new List<ConversationEvent>(Math.Min(MaxBatch, kept.Count + _deltas.Count - d));
        for (var k = 0; events.Count < MaxBatch;)
        {
            var hasDelta = d < _deltas.Count && _deltas[d].Seq <= readable;
            if (k < kept.Count && (!hasDelta || kept[k].Seq < _deltas[d].Seq))
            {
                events.Add(kept[k++]);
            }
            else if (hasDelta)
            {
                events.Add(_deltas[d++]);
            }
            else
            {
                break;
            }
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is { Type: ConversationEventTypes.MessageCompleted, Message: null, MessageId: { } id } && MessageIds.TryParse(id, out var index))
            {
                events[i] = events[i] with { Message = (await history.PageAsync(index + 1, 1)).Messages[0] };
            }
        }

        return new ConversationEventBatch(events, events.Count == MaxBatch ? events[^1].Seq : readable);
    }

    /// <summary>The index of the first event after <paramref name="after"/> in <paramref name="events"/> (in seq order).</summary>
    private static int FirstAfter(List<ConversationEvent> events, long after)
    {
        int low = 0, high = events.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (events[middle].Seq > after)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>Adds the paged events after <paramref name="after"/>, found by a binary search over the pages.</summary>
    private async Task ReadPagesAsync(long after, List<ConversationEvent> events)
    {
        var pages = state.PagedEvents / PageSize;
        long low = 0, high = pages;
        while (low < high)
        {
            var middle = (low + high) / 2;
            var page = await PageGrain(middle).ReadAsync();
            if (page[^1].Seq > after)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        for (var pageNumber = low; pageNumber < pages && events.Count < MaxBatch; pageNumber++)
        {
            events.AddRange((await PageGrain(pageNumber).ReadAsync()).Where(e => e.Seq > after).Take(MaxBatch - events.Count));
        }
    }

    private IEventPageGrain PageGrain(long pageNumber) =>
        grains.GetGrain<IEventPageGrain>(GrainKeys.EventPage(conversationKey, pageNumber));
}
