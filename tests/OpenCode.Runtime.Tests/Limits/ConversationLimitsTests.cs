using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Limits;

/// <summary>The conversation grain under the server's turn limits: one turn at a time per user, a token budget per tenant.</summary>
[Collection(LimitedRuntimeClusterCollection.Name)]
public sealed class ConversationLimitsTests(LimitedRuntimeCluster limited)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private RuntimeCluster Runtime => limited.Runtime;

    [Fact]
    public async Task A_second_turn_of_the_same_user_is_refused_while_the_first_runs_and_another_user_is_not()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var slow = await Runtime.CreateAgentAsync(tenant: tenant);
        var quick = await Runtime.CreateAgentAsync(tenant: tenant);
        Runtime.Model.Script(slow.Config.Model.Name, FakeReply.Text("slow").WithDelay(TimeSpan.FromSeconds(2)));
        var first = await Runtime.CreateConversationAsync(slow.Id, "alice", tenant);
        var second = await Runtime.CreateConversationAsync(quick.Id, "alice", tenant);
        var other = await Runtime.CreateConversationAsync(quick.Id, "bob", tenant);

        var running = await Runtime.Conversation(first, tenant, "alice").StartAsync(new NewMessage("take a while"));
        var refused = await Assert.ThrowsAsync<OpenCodeException>(() => Runtime.Conversation(second, tenant, "alice").SendAsync(new NewMessage("me too")));
        var bob = await Runtime.Conversation(other, tenant, "bob").SendAsync(new NewMessage("and me"));

        Assert.Equal(ErrorCodes.TooManyTurns, refused.Code);
        Assert.Equal(0, (await Runtime.Conversation(second, tenant, "alice").GetAsync())!.MessageCount);
        Assert.Null(bob.Error);

        // Once the first turn has ended its slot is free.
        await ReadTurnAsync(first, tenant, running.AfterSeq, running.TurnId);
        var after = await Runtime.Conversation(second, tenant, "alice").SendAsync(new NewMessage("now"));
        Assert.Null(after.Error);
        Assert.Equal(2, (await Runtime.Conversation(second, tenant, "alice").GetAsync())!.MessageCount);
    }

    [Fact]
    public async Task The_slot_is_released_when_the_turn_is_cancelled_or_fails()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var agent = await Runtime.CreateAgentAsync(tenant: tenant);
        var model = agent.Config.Model.Name;
        var id = await Runtime.CreateConversationAsync(agent.Id, "alice", tenant);
        var conversation = Runtime.Conversation(id, tenant, "alice");

        Runtime.Model.Script(model, FakeReply.Text("never finished").WithDelay(TimeSpan.FromSeconds(30)));
        var cancelled = conversation.SendAsync(new NewMessage("cancel me"));
        await WaitForStatusAsync(id, tenant, ConversationStatuses.Running);
        await conversation.CancelAsync();
        Assert.Equal(ErrorCodes.TurnCancelled, (await cancelled).Error?.Code);

        Runtime.Model.Script(model, FakeReply.Error(400, "bad request"));
        Assert.Equal(ErrorCodes.ModelError, (await conversation.SendAsync(new NewMessage("fail"))).Error?.Code);

        var other = await Runtime.CreateConversationAsync(agent.Id, "alice", tenant);
        Assert.Null((await Runtime.Conversation(other, tenant, "alice").SendAsync(new NewMessage("my turn"))).Error);
    }

    [Fact]
    public async Task A_queued_turn_that_gets_no_slot_when_its_time_comes_fails_with_too_many_turns()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var agent = await Runtime.CreateAgentAsync(c => c with { BusyPolicy = BusyPolicies.Enqueue }, tenant);
        Runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text("first").WithDelay(TimeSpan.FromSeconds(1)));
        var id = await Runtime.CreateConversationAsync(agent.Id, "alice", tenant);
        var conversation = Runtime.Conversation(id, tenant, "alice");
        var first = await conversation.StartAsync(new NewMessage("1"));
        // Another silo's turn of the same user takes the slot the first turn frees.
        var turns = Runtime.Grains.GetGrain<IRunningTurnsGrain>(GrainKeys.RunningTurns(tenant, "alice"));
        Assert.True(await turns.TryAcquireAsync("elsewhere", 2, TimeSpan.FromMinutes(1)));

        var queued = await conversation.StartAsync(new NewMessage("2"));
        var events = await ReadTurnAsync(id, tenant, first.AfterSeq, queued.TurnId);

        Assert.Null(queued.UserMessageId);
        var failed = Assert.Single(events);
        Assert.Equal(ConversationEventTypes.TurnFailed, failed.Type);
        Assert.Equal(ErrorCodes.TooManyTurns, failed.Error!.Code);
        Assert.Equal(2, (await conversation.GetAsync())!.MessageCount);
        await turns.ReleaseAsync("elsewhere");
    }

    [Fact]
    public async Task A_spent_budget_refuses_new_turns_of_its_tenant_only()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var agent = await Runtime.CreateAgentAsync(tenant: tenant);
        // One reply longer than the whole budget: the step is not cut, the turn completes, the budget is spent.
        var words = string.Join(' ', Enumerable.Repeat("token", (int)LimitedRuntimeCluster.TokensPerDay));
        Runtime.Model.Script(agent.Config.Model.Name, FakeReply.Text(words));
        var id = await Runtime.CreateConversationAsync(agent.Id, "alice", tenant);

        var spending = await Runtime.Conversation(id, tenant, "alice").SendAsync(new NewMessage("spend it all"));
        var refused = await Assert.ThrowsAsync<OpenCodeException>(() => Runtime.Conversation(id, tenant, "alice").SendAsync(new NewMessage("more")));

        Assert.Null(spending.Error);
        Assert.Equal(words, spending.Reply!.Content);
        Assert.Equal(ErrorCodes.QuotaExceeded, refused.Code);
        Assert.Equal(2, (await Runtime.Conversation(id, tenant, "alice").GetAsync())!.MessageCount);
        var otherTenant = LimitedRuntimeCluster.NewTenant();
        var otherAgent = await Runtime.CreateAgentAsync(tenant: otherTenant);
        var otherId = await Runtime.CreateConversationAsync(otherAgent.Id, "alice", otherTenant);
        Assert.Null((await Runtime.Conversation(otherId, otherTenant, "alice").SendAsync(new NewMessage("unaffected"))).Error);
    }

    [Fact]
    public async Task A_turn_whose_step_spends_the_budget_ends_before_its_next_model_step()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var agent = await Runtime.CreateAgentAsync(tenant: tenant);
        var model = agent.Config.Model.Name;
        Runtime.Model.Script(model, FakeReply.ToolCall("missing_tool", "{}"), FakeReply.Text("never asked"));
        var id = await Runtime.CreateConversationAsync(agent.Id, "alice", tenant);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await Runtime.Grains.GetGrain<ITenantTokensGrain>(GrainKeys.TenantTokens(tenant, today))
            .AddAsync(LimitedRuntimeCluster.TokensPerDay - 1, LimitedRuntimeCluster.TokensPerDay);

        var outcome = await Runtime.Conversation(id, tenant, "alice").SendAsync(new NewMessage("one step only"));

        Assert.Equal(ErrorCodes.QuotaExceeded, outcome.Error?.Code);
        Assert.Single(Runtime.Model.Requests, r => r.Model == model);
        // The step that spent the budget finished: its tool call has its result.
        var step = (await Runtime.Conversation(id, tenant, "alice").GetMessagesAsync(null, 10)).Messages[^1];
        Assert.Equal(ToolCallStatuses.Failed, step.ToolCalls![0].Status);
    }

    private async Task WaitForStatusAsync(string id, string tenant, string status)
    {
        var deadline = DateTime.UtcNow + Wait;
        while ((await Runtime.Conversation(id, tenant, "alice").GetAsync())!.Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"conversation never became {status}");
            await Task.Delay(10);
        }
    }

    /// <summary>The events of one turn after <paramref name="after"/>, up to and including its terminal event.</summary>
    private async Task<List<ConversationEvent>> ReadTurnAsync(string id, string tenant, long after, string turnId)
    {
        var events = new List<ConversationEvent>();
        var deadline = DateTime.UtcNow + Wait;
        while (!events.Any(e => e.TurnId == turnId && e.IsTerminal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the turn never ended");
            var batch = await Runtime.Conversation(id, tenant, "alice").ReadEventsAsync(after, TimeSpan.FromSeconds(2));
            events.AddRange(batch.Events);
            after = batch.LastSeq;
        }

        return [.. events.Where(e => e.TurnId == turnId)];
    }
}
