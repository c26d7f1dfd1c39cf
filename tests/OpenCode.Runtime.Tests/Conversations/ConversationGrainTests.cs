using Microsoft.Data.Sqlite;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Conversations;

[Collection(RuntimeClusterCollection.Name)]
public sealed class ConversationGrainTests(RuntimeCluster runtime)
{
    [Fact]
    public async Task A_turn_appends_the_user_message_and_the_reply_with_usage()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("two words"));

        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("hi there"));

        Assert.True(outcome.Succeeded);
        Assert.Equal("msg-0", outcome.UserMessage.Id);
        Assert.Equal("msg-1", outcome.Reply!.Id);
        Assert.Equal("two words", outcome.Reply.Content);
        Assert.Equal(outcome.TurnId, outcome.Reply.TurnId);
        Assert.True(outcome.Reply.Usage!.CompletionTokens > 0);
        var info = await runtime.Conversation(id).GetAsync();
        Assert.Equal(2, info!.MessageCount);
        Assert.Equal(ConversationStatuses.Idle, info.Status);
        Assert.Equal(outcome.Reply.Usage, info.Usage);
    }

    [Fact]
    public async Task History_spills_into_pages_and_every_message_stays_reachable()
    {
        var agent = await runtime.CreateAgentAsync(c => c with { Model = c.Model with { ContextWindow = 1000, MaxTokens = 100 } });
        var id = await runtime.CreateConversationAsync(agent.Id);
        const int turns = 150; // 300 messages: 8 full pages spilled, the rest in the head
        for (var i = 0; i < turns; i++)
        {
            Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage($"m{i}"))).Succeeded);
        }

        var all = await ReadWholeHistoryAsync(id, pageLimit: 37);

        Assert.Equal(2 * turns, all.Count);
        Assert.Equal(Enumerable.Range(0, 2 * turns).Select(i => (long)i), all.Select(m => m.Index));
        Assert.Equal(Enumerable.Range(0, turns).SelectMany(i => new[] { $"m{i}", $"echo: m{i}" }), all.Select(m => m.Content));
        var page0 = await runtime.Grains.GetGrain<IHistoryPageGrain>(GrainKeys.HistoryPage(GrainKeys.Conversation(GrainKeys.LocalTenant, RuntimeCluster.Owner, id), 0)).ReadAsync();
        Assert.Equal(ConversationHistory.PageSize, page0.Count);
        Assert.Equal("m0", page0[0].Content);
    }

    [Fact]
    public async Task A_reactivated_conversation_reads_its_head_and_pages_from_storage()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        for (var i = 0; i < 40; i++)
        {
            await runtime.Conversation(id).SendAsync(new NewMessage($"n{i}"));
        }

        await runtime.Cluster.RestartSiloAsync(runtime.Cluster.Primary!);
        await runtime.Cluster.InitializeClientAsync();

        var info = await runtime.Conversation(id).GetAsync();
        Assert.Equal(80, info!.MessageCount);
        var oldest = await runtime.Conversation(id).GetMessagesAsync("msg-2", 10);
        Assert.Equal(["n0", "echo: n0"], oldest.Messages.Select(m => m.Content));
        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("after restart"));
        Assert.Equal("msg-81", outcome.Reply!.Id);
    }

    [Fact]
    public async Task The_turn_reminder_is_written_once_while_the_conversation_is_active_and_removed_when_it_deactivates()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);

        Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("one"))).Succeeded);
        var first = TurnReminderVersion(id);
        Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("two"))).Succeeded);
        Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("three"))).Succeeded);

        // A busy conversation keeps its reminder instead of writing and removing it on every turn.
        Assert.NotNull(first);
        Assert.Equal(first, TurnReminderVersion(id));

        await runtime.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await WaitUntilAsync(() => Task.FromResult(TurnReminderVersion(id) is null), TimeSpan.FromSeconds(30));
    }

    /// <summary>The stored turn reminder's start time and version (each registration writes both), or null.</summary>
    private string? TurnReminderVersion(string conversationId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = runtime.ReminderDatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT start_at || '/' || version FROM reminders WHERE grain_id LIKE $grain AND reminder_name = 'turn'";
        command.Parameters.AddWithValue("$grain", $"%{conversationId}");
        return command.ExecuteScalar() as string;
    }

    [Fact]
    public async Task A_conversation_keeps_its_agent_version_after_the_agent_changes_and_it_reactivates()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        await runtime.Agent(agent.Id).UpdateAsync(agent.Config with { Instructions = "Version two.", Model = agent.Config.Model with { Name = "v2-" + agent.Id } });

        await runtime.Cluster.RestartSiloAsync(runtime.Cluster.Primary!);
        await runtime.Cluster.InitializeClientAsync();
        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("which version?"));

        Assert.True(outcome.Succeeded, outcome.Error?.Message);
        var request = runtime.Model.Requests.Last(r => r.LastUserMessage == "which version?");
        Assert.Equal(agent.Config.Model.Name, request.Model);
        Assert.Equal("Be brief.", request.Messages[0].Content);
        Assert.Equal(1, (await runtime.Conversation(id).GetAsync())!.AgentVersion);
    }

    [Fact]
    public async Task A_turn_cut_off_by_a_silo_crash_resumes_by_itself_and_reports_the_cut_off_call_interrupted()
    {
        var (id, model) = await StartToolTurnThenKillTheSiloAsync(idempotent: false);

        // Nobody calls the conversation: its reminder brings it back and the turn goes on to its answer.
        await WaitUntilAsync(() => Task.FromResult(runtime.Model.Requests.Count(r => r.Model == model) == 2), TimeSpan.FromSeconds(90));
        var resumed = runtime.Model.Requests.Last(r => r.Model == model);
        Assert.Contains(resumed.Messages, m => m.Role == "tool" && m.Content!.Contains("interrupted", StringComparison.Ordinal));
        await WaitUntilAsync(async () => (await runtime.Conversation(id).GetAsync())!.Status == ConversationStatuses.Idle, TimeSpan.FromSeconds(30));
        var messages = (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages;
        Assert.Equal(["start something slow", "", "finished after the crash"], messages.Select(m => m.Content));
        Assert.Equal(ToolCallStatuses.Interrupted, messages[1].ToolCalls!.Single().Status);
        // The model step before the crash was not asked for again.
        Assert.Equal(2, runtime.Model.Requests.Count(r => r.Model == model));
        Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("are you there?"))).Succeeded);
    }

    [Fact]
    public async Task A_call_of_an_idempotent_server_cut_off_by_a_silo_crash_runs_again_when_the_turn_resumes()
    {
        var (id, model) = await StartToolTurnThenKillTheSiloAsync(idempotent: true);

        await WaitUntilAsync(() => Task.FromResult(runtime.Model.Requests.Count(r => r.Model == model) == 2), TimeSpan.FromSeconds(90));
        await WaitUntilAsync(async () => (await runtime.Conversation(id).GetAsync())!.Status == ConversationStatuses.Idle, TimeSpan.FromSeconds(30));
        var messages = (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages;
        Assert.Equal(3, messages.Count);
        Assert.Equal(ToolCallStatuses.Completed, messages[1].ToolCalls!.Single().Status);
        Assert.Equal("finished after the crash", messages[2].Content);
    }

    /// <summary>A turn whose one tool call takes seconds; the silo dies while the call runs and a new one starts.</summary>
    private async Task<(string Id, string Model)> StartToolTurnThenKillTheSiloAsync(bool idempotent)
    {
        var agent = await runtime.CreateAgentAsync(c => c with
        {
            Mcp = new McpConfig { Servers = [new McpServerConfig { Name = "test", Command = TestMcpServerCommand.Command, Args = TestMcpServerCommand.Args, Idempotent = idempotent }] },
        });
        var id = await runtime.CreateConversationAsync(agent.Id);
        var model = agent.Config.Model.Name;
        runtime.Model.Script(model, FakeReply.ToolCall("test_slow", """{"ms":3000}"""), FakeReply.Text("finished after the crash"));

        var cutOff = runtime.Conversation(id).SendAsync(new NewMessage("start something slow"));
        await WaitUntilAsync(async () => (await runtime.Conversation(id).GetMessagesAsync(null, 10)).Messages.Any(m => m.ToolCalls is not null));
        await runtime.Cluster.KillSiloAsync(runtime.Cluster.Primary!);
        // The caller's call went down with the silo; its outcome is not awaited (a dead silo's pending calls end at their timeout).
        _ = cutOff.ContinueWith(t => t.Exception, TaskScheduler.Default);
        await runtime.Cluster.StartAdditionalSiloAsync();
        await runtime.Cluster.InitializeClientAsync();
        return (id, model);
    }

    [Fact]
    public async Task Tool_steps_that_cross_a_page_boundary_keep_their_results()
    {
        var agent = await runtime.CreateAgentAsync(c => c with
        {
            Mcp = new McpConfig { Servers = [new McpServerConfig { Name = "test", Command = TestMcpServerCommand.Command, Args = TestMcpServerCommand.Args }] },
        });
        var id = await runtime.CreateConversationAsync(agent.Id);
        const int turns = 25; // 3 messages a turn: page boundaries fall on tool steps too
        for (var i = 0; i < turns; i++)
        {
            runtime.Model.Script(agent.Config.Model.Name, FakeReply.ToolCall("test_echo", $$"""{"message":"t{{i}}"}"""), FakeReply.Text($"done {i}"));
            var outcome = await runtime.Conversation(id).SendAsync(new NewMessage($"turn {i}"));
            Assert.True(outcome.Succeeded, outcome.Error?.Message);
        }

        var all = await ReadWholeHistoryAsync(id, pageLimit: 50);

        Assert.Equal(3 * turns, all.Count);
        var steps = all.Where(m => m.ToolCalls is not null).ToList();
        Assert.Equal(turns, steps.Count);
        Assert.All(steps, (step, i) =>
        {
            Assert.Equal(ToolCallStatuses.Completed, step.ToolCalls!.Single().Status);
            Assert.Contains($"t{i}", step.ToolCalls!.Single().Result);
        });
    }

    [Fact]
    public async Task Deleting_during_a_turn_is_refused_and_the_turn_completes()
    {
        var (id, turn) = await StartSlowTurnAsync("keep me");

        var busy = await Assert.ThrowsAsync<OpenCodeException>(() => runtime.Conversation(id).DeleteAsync());

        Assert.Equal(ErrorCodes.ConversationBusy, busy.Code);
        Assert.True((await turn).Succeeded);
        Assert.Equal(2, (await runtime.Conversation(id).GetAsync())!.MessageCount);
    }

    [Fact]
    public async Task The_model_sees_the_instructions_and_the_history_that_fits()
    {
        var agent = await runtime.CreateAgentAsync(c => c with { Model = c.Model with { ContextWindow = 400, MaxTokens = 100 } });
        var id = await runtime.CreateConversationAsync(agent.Id);
        var padding = string.Join(' ', Enumerable.Repeat("word", 30));
        for (var i = 0; i < 10; i++)
        {
            await runtime.Conversation(id).SendAsync(new NewMessage($"{i} {padding}"));
        }

        var request = runtime.Model.Requests.Last(r => r.Model == agent.Config.Model.Name);
        Assert.Equal("system", request.Messages[0].Role);
        Assert.Equal("Be brief.", request.Messages[0].Content);
        Assert.StartsWith("9 ", request.Messages[^1].Content, StringComparison.Ordinal);
        Assert.InRange(request.Messages.Count, 3, 9);
        // Newest first: what was kept is a contiguous run ending at the newest message.
        var kept = request.Messages.Skip(1).Where(m => m.Role == "user").Select(m => int.Parse(m.Content![..1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(10 - kept.Count, kept.Count), kept);
    }

    [Fact]
    public async Task Model_failures_end_the_turn_with_a_code_and_keep_the_user_message()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Error(401, "bad key"));

        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("hello?"));

        Assert.False(outcome.Succeeded);
        Assert.Equal(ErrorCodes.ModelError, outcome.Error!.Code);
        Assert.Contains("bad key", outcome.Error.Message);
        Assert.Equal(1, (await runtime.Conversation(id).GetAsync())!.MessageCount);
        Assert.True((await runtime.Conversation(id).SendAsync(new NewMessage("again"))).Succeeded);
    }

    [Fact]
    public async Task A_fallback_model_answers_when_the_primary_cannot_be_reached()
    {
        var agent = await runtime.CreateAgentAsync(c => c with
        {
            Model = c.Model with
            {
                Endpoint = $"http://127.0.0.1:{LoopbackPort.Next()}/v1",
                Fallbacks = [new ModelConfig { Provider = "openai", Name = "fallback-" + c.Id, Endpoint = runtime.Model.BaseUrl.ToString() }],
            },
        });
        var id = await runtime.CreateConversationAsync(agent.Id);

        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("anyone?"));

        Assert.True(outcome.Succeeded, outcome.Error?.Message);
        Assert.Contains(runtime.Model.Requests, r => r.Model == "fallback-" + agent.Id);
    }

    [Fact]
    public async Task The_step_limit_ends_a_turn_that_keeps_calling_tools()
    {
        var agent = await runtime.CreateAgentAsync(c => c with { Limits = new AgentLimits { MaxSteps = 2 } });
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.ToolCall("nothing_here", "{}"), FakeReply.ToolCall("nothing_here", "{}"));

        var outcome = await runtime.Conversation(id).SendAsync(new NewMessage("loop"));

        Assert.Equal(ErrorCodes.LimitExceeded, outcome.Error?.Code);
        Assert.Equal("maxSteps", outcome.Error!.Limit);
        Assert.Equal(2, outcome.Error.Reached);
        var history = await runtime.Conversation(id).GetMessagesAsync(null, 10);
        Assert.Equal(3, history.Messages.Count);
        Assert.All(history.Messages.Skip(1), m => Assert.Equal(ToolCallStatuses.Failed, m.ToolCalls!.Single().Status));
    }

    [Fact]
    public async Task A_second_message_during_a_turn_is_refused_as_busy()
    {
        var (id, first) = await StartSlowTurnAsync("first");

        var busy = await Assert.ThrowsAsync<OpenCodeException>(() => runtime.Conversation(id).SendAsync(new NewMessage("second")));

        Assert.Equal(ErrorCodes.ConversationBusy, busy.Code);
        Assert.Equal(ConversationStatuses.Running, (await runtime.Conversation(id).GetAsync())!.Status);
        Assert.True((await first).Succeeded);
    }

    [Fact]
    public async Task Deleting_a_conversation_removes_it_and_its_pages()
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        for (var i = 0; i < 40; i++)
        {
            await runtime.Conversation(id).SendAsync(new NewMessage($"d{i}"));
        }

        Assert.True(await runtime.Conversation(id).DeleteAsync());

        Assert.Null(await runtime.Conversation(id).GetAsync());
        var page = runtime.Grains.GetGrain<IHistoryPageGrain>(GrainKeys.HistoryPage(GrainKeys.Conversation(GrainKeys.LocalTenant, RuntimeCluster.Owner, id), 0));
        Assert.Empty(await page.ReadAsync());
        var error = await Assert.ThrowsAsync<OpenCodeException>(() => runtime.Conversation(id).SendAsync(new NewMessage("gone?")));
        Assert.Equal(ErrorCodes.ConversationNotFound, error.Code);
    }

    /// <summary>A conversation whose turn is running (the model answers after a second), and that turn.</summary>
    private async Task<(string Id, Task<TurnOutcome> Turn)> StartSlowTurnAsync(string message)
    {
        var agent = await runtime.CreateAgentAsync();
        var id = await runtime.CreateConversationAsync(agent.Id);
        runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("slow").WithDelay(TimeSpan.FromSeconds(1)));
        var turn = runtime.Conversation(id).SendAsync(new NewMessage(message));
        await WaitUntilAsync(async () => (await runtime.Conversation(id).GetAsync())!.Status == ConversationStatuses.Running);
        return (id, turn);
    }

    /// <summary>Pages back from the newest message to the first, as a client would.</summary>
    private async Task<List<ConversationMessage>> ReadWholeHistoryAsync(string id, int pageLimit)
    {
        var all = new List<ConversationMessage>();
        string? before = null;
        do
        {
            var page = await runtime.Conversation(id).GetMessagesAsync(before, pageLimit);
            all.InsertRange(0, page.Messages);
            before = page.Next;
        }
        while (before is not null);

        return all;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => WaitUntilAsync(condition, TimeSpan.FromSeconds(5));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("the condition never held");
    }
}
