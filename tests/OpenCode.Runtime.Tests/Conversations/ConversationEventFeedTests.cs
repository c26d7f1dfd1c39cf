using System.Diagnostics;
using System.Reflection;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Conversations;

public sealed class ConversationEventFeedTests
{
    [Fact]
    public async Task A_read_that_never_answers_is_cut_off_after_its_wait_and_grace_and_the_next_read_gets_a_live_token()
    {
        var conversation = HangingOnceConversation.Create();
        var started = Stopwatch.StartNew();

        await using var feed = conversation.FollowAsync(after: 7, wait: TimeSpan.FromMilliseconds(100)).GetAsyncEnumerator();
        Assert.True(await feed.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        // The first read hung (a silo that went away without a word) until the feed's deadline cut it off, 5 s of grace
        // after its wait; the second, with a fresh deadline, answered.
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        Assert.Equal(8, feed.Current.LastSeq);
        var proxy = (HangingOnceConversation)(object)conversation;
        Assert.Equal([7L, 7L], proxy.ReadsAfter);
    }

    /// <summary>A conversation grain whose first event read never answers and whose second answers at once.</summary>
    public class HangingOnceConversation : DispatchProxy
    {
        public List<long> ReadsAfter { get; } = [];

        public static IConversationGrain Create() => Create<IConversationGrain, HangingOnceConversation>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IConversationGrain.ReadEventsAsync))
            {
                throw new NotSupportedException(targetMethod?.Name);
            }

            var after = (long)args![0]!;
            var token = (CancellationToken)args[2]!;
            ReadsAfter.Add(after);
            // As a grain call does, a read given a cancelled token fails at once.
            return ReadsAfter.Count == 1 ? HangAsync(token)
                : token.IsCancellationRequested ? Task.FromCanceled<ConversationEventBatch>(token)
                : Task.FromResult(new ConversationEventBatch([], after + 1));
        }

        private static async Task<ConversationEventBatch> HangAsync(CancellationToken token)
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        }
    }
}
