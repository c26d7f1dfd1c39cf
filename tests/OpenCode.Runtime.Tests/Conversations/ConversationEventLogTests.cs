using System.Collections.Concurrent;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;

namespace OpenCode.Runtime.Tests.Conversations;

public sealed class ConversationEventLogTests
{
    [Fact]
    public async Task A_read_whose_wait_ends_as_events_are_published_returns_them_instead_of_going_past_them()
    {
        var state = new ConversationState();
        var log = new ConversationEventLog(state, new ConversationHistory(state, grains: null!, "local/user/conv-1", maskForModels: false), grains: null!, "local/user/conv-1");
        // One thread of work, pumped by hand, as a grain's scheduler runs its calls.
        var grain = new ManualScheduler();
        var read = Task.Factory.StartNew(() => log.ReadAsync(0, TimeSpan.FromMilliseconds(50), CancellationToken.None), CancellationToken.None, TaskCreationOptions.None, grain).Unwrap();
        grain.RunQueued();

        // The wait has ended: its continuation is queued. A turn's work runs first and publishes a delta.
        await grain.WaitForQueuedAsync(TimeSpan.FromSeconds(10));
        log.Append(new ConversationEvent { Type = ConversationEventTypes.MessageDelta, MessageId = "msg-1", Text = "hello" }, "turn-1");
        grain.RunQueued();

        var batch = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["hello"], batch.Events.Select(e => e.Text));
        Assert.Equal(1, batch.LastSeq);
    }

    [Fact]
    public async Task Readers_end_at_their_own_deadlines_and_an_event_reaches_the_one_still_waiting()
    {
        var (log, grain) = NewLog();
        var shortWait = Task.Factory.StartNew(() => log.ReadAsync(0, TimeSpan.FromMilliseconds(100), CancellationToken.None), CancellationToken.None, TaskCreationOptions.None, grain).Unwrap();
        var longWait = Task.Factory.StartNew(() => log.ReadAsync(0, TimeSpan.FromMinutes(5), CancellationToken.None), CancellationToken.None, TaskCreationOptions.None, grain).Unwrap();
        await grain.RunUntilAsync(shortWait, TimeSpan.FromSeconds(10));

        Assert.Empty((await shortWait).Events);
        Assert.False(longWait.IsCompleted);

        log.Append(new ConversationEvent { Type = ConversationEventTypes.MessageDelta, MessageId = "msg-1", Text = "hello" }, "turn-1");
        await grain.RunUntilAsync(longWait, TimeSpan.FromSeconds(10));
        Assert.Equal(["hello"], (await longWait).Events.Select(e => e.Text));
    }

    [Fact]
    public async Task A_cancelled_reader_stops_waiting_at_once_however_long_its_wait()
    {
        var (log, grain) = NewLog();
        using var cancel = new CancellationTokenSource();
        var read = Task.Factory.StartNew(() => log.ReadAsync(0, TimeSpan.FromMinutes(5), cancel.Token), CancellationToken.None, TaskCreationOptions.None, grain).Unwrap();
        grain.RunQueued();

        await cancel.CancelAsync();
        await grain.RunUntilAsync(read, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<OperationCanceledException>(() => read);
    }

    private static (ConversationEventLog Log, ManualScheduler Grain) NewLog()
    {
        var state = new ConversationState();
        var log = new ConversationEventLog(state, new ConversationHistory(state, grains: null!, "local/user/conv-1", maskForModels: false), grains: null!, "local/user/conv-1");
        return (log, new ManualScheduler());
    }

    private sealed class ManualScheduler : TaskScheduler
    {
        private readonly ConcurrentQueue<Task> _queue = new();

        public void RunQueued()
        {
            // Continuations come back here, not to the test framework's context.
            var context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                while (_queue.TryDequeue(out var task))
                {
                    TryExecuteTask(task);
                }
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }
        }

        public async Task WaitForQueuedAsync(TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (_queue.IsEmpty)
            {
                await Task.Delay(5, deadline.Token);
            }
        }

        /// <summary>Runs what is queued, as it comes, until <paramref name="task"/> completes.</summary>
        public async Task RunUntilAsync(Task task, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (!task.IsCompleted)
            {
                RunQueued();
                await Task.Delay(5, deadline.Token);
            }
        }

        protected override void QueueTask(Task task) => _queue.Enqueue(task);

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => _queue;
    }
}
