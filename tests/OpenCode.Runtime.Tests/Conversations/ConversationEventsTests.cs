using System.Diagnostics;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Conversations;

/// <summary>The event log, streamed turns, cancel, busy policies and idempotency, at the grain.</summary>
[Collection(RuntimeClusterCollection.Name)]
public sealed class ConversationEventsTests(RuntimeCluster runtime)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_turn_logs_its_events_in_seq_order_and_ends_with_one_terminal_event()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);

        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("hello"));

        var events = await ReadTurnAsync(id, 0, outcome.TurnId);
        Assert.Equal(
            [ConversationEventTypes.TurnStarted, ConversationEventTypes.MessageCompleted, ConversationEventTypes.MessageCompleted, ConversationEventTypes.TurnCompleted],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(outcome.TurnId, e.TurnId));
        Assert.Equal(events.Select(e => e.Seq).Order(), events.Select(e => e.Seq));
        Assert.Equal("msg-0", events[0].MessageId);
        Assert.Equal("hello", events[1].Message!.Content);
        Assert.Equal("echo: hello", events[2].Message!.Content);
        Assert.Equal("msg-1", events[3].MessageId);
        Assert.Equal(outcome.Reply!.Usage, events[3].Usage);
    }

    [Fact]
    public async Task A_started_turn_streams_deltas_that_add_up_to_the_reply_and_a_reader_resumes_mid_message()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        runtime.Model.TokenInterval = TimeSpan.FromMilliseconds(40);
        try
        {
            var accepted = await runtime.Conversation(id).StartAsync(new NewMessage("one two three four five six"));
            Assert.Equal("msg-0", accepted.UserMessageId);

            // The first read returns as soon as something is readable, long before the reply is complete.
            var first = new List<ConversationEvent>();
            var after = accepted.AfterSeq;
            while (!first.Any(e => e.Type == ConversationEventTypes.MessageDelta))
            {
                var batch = await runtime.Conversation(id).ReadEventsAsync(after, Wait);
                first.AddRange(batch.Events);
                after = batch.LastSeq;
            }

            Assert.DoesNotContain(first, e => e.IsTerminal);
            // A second reader attaches after the first delta: it gets the rest exactly once.
            var firstDelta = first.First(e => e.Type == ConversationEventTypes.MessageDelta);
            var rest = await ReadTurnAsync(id, firstDelta.Seq, accepted.TurnId);
            var deltas = new[] { firstDelta }.Concat(rest.Where(e => e.Type == ConversationEventTypes.MessageDelta)).ToList();
            var reply = rest.Last(e => e.Type == ConversationEventTypes.MessageCompleted).Message!;
            Assert.Equal("echo: one two three four five six", reply.Content);
            Assert.Equal(reply.Content, string.Concat(deltas.Select(d => d.Text)));
            Assert.All(deltas, d => Assert.Equal(reply.Id, d.MessageId));
            Assert.Equal(rest.Select(e => e.Seq).Distinct().Order(), rest.Select(e => e.Seq));
            Assert.Equal(ConversationEventTypes.TurnCompleted, rest[^1].Type);
        }
        finally
        {
            runtime.Model.TokenInterval = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Once_the_next_message_streams_the_complete_message_stands_in_for_its_deltas()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        var first = await runtime.Conversation(id).StartAsync(new NewMessage("a b c"));
        Assert.Contains(await ReadTurnAsync(id, first.AfterSeq, first.TurnId), e => e.Type == ConversationEventTypes.MessageDelta);
        var second = await runtime.Conversation(id).StartAsync(new NewMessage("d e f"));
        await ReadTurnAsync(id, second.AfterSeq, second.TurnId);

        var replay = await ReadTurnAsync(id, 0, first.TurnId);

        Assert.DoesNotContain(replay, e => e.Type == ConversationEventTypes.MessageDelta);
        Assert.Equal("echo: a b c", replay.Last(e => e.Type == ConversationEventTypes.MessageCompleted).Message!.Content);
    }

    [Fact]
    public async Task A_read_with_nothing_new_waits_and_wakes_for_the_next_event()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        var clock = Stopwatch.StartNew();
        var empty = await runtime.Conversation(id).ReadEventsAsync(0, TimeSpan.FromMilliseconds(300));
        Assert.Empty(empty.Events);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"returned after {clock.Elapsed}");

        var waiting = runtime.Conversation(id).ReadEventsAsync(empty.LastSeq, Wait);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await runtime.Conversation(id).SendAsync(new NewMessage("wake up"));

        var woken = await waiting;
        Assert.Equal(ConversationEventTypes.TurnStarted, woken.Events[0].Type);
    }

    [Fact]
    public async Task The_log_pages_and_a_reader_from_the_start_gets_every_event_once()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        const int turns = 40; // 160 events: two full pages spilled
        for (var i = 0; i < turns; i++)
        {
            await runtime.Conversation(id).SendAsync(new NewMessage($"m{i}"));
        }

        var all = new List<ConversationEvent>();
        for (long after = 0; ;)
        {
            var batch = await runtime.Conversation(id).ReadEventsAsync(after, TimeSpan.Zero);
            if (batch.Events.Count == 0)
            {
                break;
            }

            all.AddRange(batch.Events);
            after = batch.LastSeq;
        }

        Assert.Equal(4 * turns, all.Count);
        Assert.Equal(Enumerable.Range(1, 4 * turns).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.Equal(turns, all.Count(e => e.IsTerminal));
        Assert.Equal("m17", all.Where(e => e.Type == ConversationEventTypes.MessageCompleted).ElementAt(34).Message!.Content);
        var fromMiddle = await runtime.Conversation(id).ReadEventsAsync(70, TimeSpan.Zero);
        Assert.Equal(71, fromMiddle.Events[0].Seq);
    }

    [Fact]
    public async Task Cancel_during_the_model_stream_ends_the_turn_within_a_second_and_keeps_the_partial_reply()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        runtime.Model.TokenInterval = TimeSpan.FromMilliseconds(200);
        try
        {
            var accepted = await runtime.Conversation(id).StartAsync(new NewMessage(string.Join(' ', Enumerable.Range(0, 50))));
            var seen = new List<ConversationEvent>();
            var after = accepted.AfterSeq;
            while (!seen.Any(e => e.Type == ConversationEventTypes.MessageDelta))
            {
                var batch = await runtime.Conversation(id).ReadEventsAsync(after, Wait);
                seen.AddRange(batch.Events);
                after = batch.LastSeq;
            }

            var clock = Stopwatch.StartNew();
            Assert.Equal(accepted.TurnId, await runtime.Conversation(id).CancelAsync());
            var rest = await ReadTurnAsync(id, after, accepted.TurnId);
            clock.Stop();

            Assert.Equal(ConversationEventTypes.TurnCancelled, rest[^1].Type);
            Assert.Single(seen.Concat(rest), e => e.IsTerminal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancelled after {clock.Elapsed}");
            var partial = rest.Single(e => e.Type == ConversationEventTypes.MessageCompleted).Message!;
            var whole = "echo: " + string.Join(' ', Enumerable.Range(0, 50));
            Assert.StartsWith("echo:", partial.Content);
            Assert.StartsWith(partial.Content, whole);
            Assert.True(partial.Content.Length < whole.Length / 2, partial.Content);
            var history = (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages;
            Assert.Equal(partial.Content, history[^1].Content);
            Assert.Equal(ConversationStatuses.Idle, (await runtime.Conversation(id).GetAsync())!.Status);
            Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("still usable"))).Succeeded);
        }
        finally
        {
            runtime.Model.TokenInterval = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Cancel_during_a_slow_tool_call_records_the_call_cancelled_and_cancels_it_at_the_server()
    {
        var callLog = Path.Combine(Path.GetTempPath(), $"opencode-mcp-calls-{Guid.NewGuid():N}.log");
        var agent = await runtime.CreateAgentAsync(c => c with
        {
            Mcp = new McpConfig
            {
                Servers = [new McpServerConfig
                {
                    Name = "test", Command = TestMcpServerCommand.Command, Args = TestMcpServerCommand.Args,
                    Env = new Dictionary<string, string> { [TestTools.CallLogVariable] = callLog },
                }],
            },
        });
        try
        {
            var id = await runtime.CreateConversationAsync(agent.Id);
            runtime.Model.Script(agent.Config.Model.Name, FakeReply.ToolCall("test_slow", """{"ms":20000}"""));
            var accepted = await runtime.Conversation(id).StartAsync(new NewMessage("go slow"));
            await ReadUntilAsync(id, accepted.AfterSeq, e => e.Type == ConversationEventTypes.ToolCallStarted);
            // tool_call.started is logged as the call leaves: a cancel that overtook it would have nothing to cancel at the server.
            await WaitForCallLogAsync(callLog, ["started"]);

            var clock = Stopwatch.StartNew();
            await runtime.Conversation(id).CancelAsync();
            var events = await ReadTurnAsync(id, accepted.AfterSeq, accepted.TurnId);
            clock.Stop();

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancelled after {clock.Elapsed}");
            var completed = events.Single(e => e.Type == ConversationEventTypes.ToolCallCompleted).Call!;
            Assert.Equal(ToolCallStatuses.Cancelled, completed.Status);
            Assert.Equal(ConversationEventTypes.TurnCancelled, events[^1].Type);
            var step = (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages[^1];
            Assert.Equal(ToolCallStatuses.Cancelled, step.ToolCalls!.Single().Status);
            // The MCP cancellation notification reached the server, which stopped the call.
            await WaitForCallLogAsync(callLog, ["started", "cancelled"]);
        }
        finally
        {
            File.Delete(callLog);
        }
    }

    /// <summary>Waits until the test MCP server's call log reads <paramref name="expected"/>.</summary>
    private static async Task WaitForCallLogAsync(string path, string[] expected)
    {
        var deadline = DateTime.UtcNow + Wait;
        string[] lines;
        while (!(lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : []).SequenceEqual(expected))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the server's call log reads [{string.Join(", ", lines)}], not [{string.Join(", ", expected)}]");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Cancel_of_a_turn_waiting_for_approval_rejects_the_call_and_ends_the_turn()
    {
        var agent = await runtime.CreateAgentAsync(c => c with
        {
            Mcp = new McpConfig { Servers = [new McpServerConfig { Name = "test", Command = TestMcpServerCommand.Command, Args = TestMcpServerCommand.Args }] },
            Permissions = new Dictionary<string, ToolPermission> { ["test_echo"] = "ask" },
        });
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.ToolCall("test_echo", """{"message":"x"}"""));
        var paused = await runtime.Conversation(id).SendAsync(new NewMessage("ask first"));
        Assert.True(paused.IsWaitingForApproval);

        Assert.Equal(paused.TurnId, await runtime.Conversation(id).CancelAsync());

        var events = await ReadTurnAsync(id, 0, paused.TurnId);
        Assert.Contains(events, e => e.Type == ConversationEventTypes.ToolApprovalRequested && e.Approval!.ApprovalId == paused.Approvals![0].ApprovalId);
        Assert.Equal(ToolCallStatuses.Rejected, events.Single(e => e.Type == ConversationEventTypes.ToolCallCompleted).Call!.Status);
        Assert.Equal(ConversationEventTypes.TurnCancelled, events[^1].Type);
        Assert.Empty(await runtime.Conversation(id).GetApprovalsAsync());
        Assert.Null(await runtime.Conversation(id).CancelAsync());
    }

    [Fact]
    public async Task Busy_policy_enqueue_runs_queued_messages_in_order_after_the_turn()
    {
        var agent = await runtime.CreateAgentAsync(c => c with { BusyPolicy = BusyPolicies.Enqueue });
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("first").WithDelay(TimeSpan.FromSeconds(1)));

        var first = runtime.Conversation(id).SendAsync(new NewMessage("1"));
        await WaitForStatusAsync(id, ConversationStatuses.Running);
        var second = await runtime.Conversation(id).StartAsync(new NewMessage("2"));
        Assert.Null(second.UserMessageId);
        var third = runtime.Conversation(id).SendAsync(new NewMessage("3"));

        Assert.Equal("first", (await first).Reply!.Content);
        var secondEvents = await ReadTurnAsync(id, second.AfterSeq, second.TurnId);
        Assert.Equal(ConversationEventTypes.TurnCompleted, secondEvents[^1].Type);
        Assert.Equal("echo: 3", (await third).Reply!.Content);
        var history = (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages;
        Assert.Equal(["1", "first", "2", "echo: 2", "3", "echo: 3"], history.Select(m => m.Content));
    }

    [Fact]
    public async Task Busy_policy_interrupt_cancels_the_running_turn_and_runs_the_new_message()
    {
        var agent = await runtime.CreateAgentAsync(c => c with { BusyPolicy = BusyPolicies.Interrupt });
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("too late").WithDelay(TimeSpan.FromSeconds(20)));

        var first = runtime.Conversation(id).SendAsync(new NewMessage("slow one"));
        await WaitForStatusAsync(id, ConversationStatuses.Running);
        // The first turn must have taken its (slow) scripted reply, or the interrupting turn would get it.
        while (!runtime.Model.Requests.Any(r => r.Model == agent.Config.Model.Name))
        {
            await Task.Delay(10);
        }

        var second = await runtime.Conversation(id).SendAsync(new NewMessage("instead"));

        Assert.Equal("echo: instead", second.Reply!.Content);
        var interrupted = await first;
        Assert.Equal(ErrorCodes.TurnCancelled, interrupted.Error!.Code);
        var events = await ReadTurnAsync(id, 0, interrupted.TurnId);
        Assert.Equal(ConversationEventTypes.TurnCancelled, events[^1].Type);
    }

    [Fact]
    public async Task Busy_policy_reject_refuses_a_second_message()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("slow").WithDelay(TimeSpan.FromSeconds(1)));
        var first = runtime.Conversation(id).SendAsync(new NewMessage("one"));
        await WaitForStatusAsync(id, ConversationStatuses.Running);

        var busy = await Assert.ThrowsAsync<OpenCodeException>(() => runtime.Conversation(id).StartAsync(new NewMessage("two")));

        Assert.Equal(ErrorCodes.ConversationBusy, busy.Code);
        Assert.True((await first).Succeeded);
    }

    [Fact]
    public async Task An_idempotency_key_runs_a_message_once_and_refuses_other_content()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("only once").WithDelay(TimeSpan.FromSeconds(1)));
        var requestsBefore = runtime.Model.Requests.Count(r => r.Model == agent.Config.Model.Name);

        var first = runtime.Conversation(id).SendAsync(new NewMessage("do it", "key-1"));
        await WaitForStatusAsync(id, ConversationStatuses.Running);
        var attached = await runtime.Conversation(id).SendAsync(new NewMessage("do it", "key-1"));
        var again = await runtime.Conversation(id).SendAsync(new NewMessage("do it", "key-1"));
        var started = await runtime.Conversation(id).StartAsync(new NewMessage("do it", "key-1"));

        Assert.Equal("only once", (await first).Reply!.Content);
        Assert.Equal((await first).Reply, attached.Reply);
        Assert.Equal(attached.TurnId, again.TurnId);
        Assert.Equal(attached.Reply!.Content, again.Reply!.Content);
        Assert.Equal(again.TurnId, started.TurnId);
        Assert.Equal(1, runtime.Model.Requests.Count(r => r.Model == agent.Config.Model.Name) - requestsBefore);
        Assert.Equal(2, (await runtime.Conversation(id).GetAsync())!.MessageCount);
        var reused = await Assert.ThrowsAsync<OpenCodeException>(() => runtime.Conversation(id).SendAsync(new NewMessage("something else", "key-1")));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, reused.Code);
    }

    [Fact]
    public async Task Events_and_idempotency_keys_survive_reactivation()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("remember me", "key-r"));
        var before = await ReadTurnAsync(id, 0, outcome.TurnId);

        await runtime.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(before.Select(e => (e.Seq, e.Type)), (await ReadTurnAsync(id, 0, outcome.TurnId)).Select(e => (e.Seq, e.Type)));
        Assert.Equal(outcome.TurnId, (await runtime.Conversation(id).SendAsync(new NewMessage("remember me", "key-r"))).TurnId);
        var next = await runtime.Conversation(id).SendAsync(new NewMessage("new"));
        Assert.True((await ReadTurnAsync(id, before[^1].Seq, next.TurnId))[0].Seq > before[^1].Seq);
    }

    [Fact]
    public async Task A_reader_reattaches_after_the_silo_streaming_a_turn_died_and_misses_nothing()
    {
        var id = await runtime.CreateConversationAsync((await runtime.CreateAgentAsync()).Id);
        var words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        runtime.Model.TokenInterval = TimeSpan.FromMilliseconds(100);
        try
        {
            var accepted = await runtime.Conversation(id).StartAsync(new NewMessage(words));
            var seen = await ReadUntilAsync(id, accepted.AfterSeq, e => e.Type == ConversationEventTypes.MessageDelta && e.Text == " w2");
            var lastSeen = seen[^1].Seq;

            await runtime.Cluster.KillSiloAsync(runtime.Cluster.Primary!);
            await runtime.Cluster.StartAdditionalSiloAsync();
            await runtime.Cluster.InitializeClientAsync();
            var rest = await ReadTurnAsync(id, lastSeen, accepted.TurnId);

            Assert.All(rest, e => Assert.True(e.Seq > lastSeen));
            Assert.Equal(rest.Select(e => e.Seq).Distinct().Order(), rest.Select(e => e.Seq));
            Assert.Equal(ConversationEventTypes.TurnCompleted, rest[^1].Type);
            Assert.Single(rest, e => e.IsTerminal);
            // The step was cut off mid-stream, so it ran again: its message is whole.
            Assert.Equal("echo: " + words, rest.Single(e => e.Type == ConversationEventTypes.MessageCompleted).Message!.Content);
        }
        finally
        {
            runtime.Model.TokenInterval = TimeSpan.Zero;
        }
    }

    private async Task WaitForStatusAsync(string id, string status)
    {
        var deadline = DateTime.UtcNow + Wait;
        while ((await runtime.Conversation(id).GetAsync())!.Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"conversation never became {status}");
            await Task.Delay(10);
        }
    }

    /// <summary>The events of one turn after <paramref name="after"/>, up to and including its terminal event.</summary>
    private async Task<List<ConversationEvent>> ReadTurnAsync(string id, long after, string turnId) =>
        [.. (await ReadUntilAsync(id, after, e => e.TurnId == turnId && e.IsTerminal)).Where(e => e.TurnId == turnId)];

    private async Task<List<ConversationEvent>> ReadUntilAsync(string id, long after, Func<ConversationEvent, bool> last)
    {
        var events = new List<ConversationEvent>();
        var deadline = DateTime.UtcNow + Wait;
        while (!events.Any(last))
        {
            Assert.True(DateTime.UtcNow < deadline, "the event never came");
            var batch = await runtime.Conversation(id).ReadEventsAsync(after, TimeSpan.FromSeconds(2));
            events.AddRange(batch.Events);
            after = batch.LastSeq;
        }

        return events;
    }
}
