using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Tools;
using Orleans.Concurrency;
using Orleans.Storage;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// One conversation: its head state, its history, the turn loop and the turn's approvals. Reentrant so that
/// reads and answers to approvals are taken while a turn is in flight; at most one turn exists at a time (running,
/// or paused waiting for approvals) and state writes are serialized through <see cref="CheckpointAsync"/>.
/// A reminder, registered by the first turn of an activation and kept while the conversation stays active, brings
/// the conversation back when the silo running a turn dies, and the turn resumes from its last checkpoint. It is
/// removed when the conversation deactivates between turns, or by its own tick when no turn is unfinished, so a
/// busy conversation pays for it once, not with two reminder writes per turn.
/// </summary>
[Reentrant]
public sealed partial class ConversationGrain(
    [PersistentState("conversation", OpenCodeStorage.Name)] IPersistentState<ConversationState> state,
    TurnLoop turnLoop,
    TokenCounter tokens,
    TimeProvider clock,
    IOptions<TurnReminderOptions> reminderOptions,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, IRemindable
{
    private const int MaxPageLimit = 200;
    private const string TurnReminder = "turn";

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private ConversationHistory? _history;
    private AgentSnapshot? _agent;
    private ToolPermissions? _permissions;

    /// <summary>The part of the turn running now: until the turn ends or pauses for approvals.</summary>
    private Task<TurnOutcome>? _turn;
    private IGrainTimer? _turnTimer;
    private bool _deleting;

    /// <summary>Registering or removing the turn reminder, one after the other; checkpoints wait for a registration.</summary>
    private Task _turnReminder = Task.CompletedTask;
    private IGrainReminder? _reminder;

    // Activated with a turn unfinished: the reminder its silo registered may still be there.
    private bool _reminderMayExist;

    /// <summary>A write failed: memory may be ahead of storage, so nothing more runs on this activation.</summary>
    private bool _broken;

    private string Key => this.GetPrimaryKeyString();

    private string Id => GrainKeys.IdOf(Key);

    private bool Exists => state.RecordExists && !state.State.Deleted && !_deleting;

    private ConversationHistory History => _history ??= new ConversationHistory(state.State, GrainFactory, Key);

    /// <summary>
    /// A turn paused for approvals stays paused: its requests stay answerable, expired ones are rejected and
    /// answered ones are carried out. Any other turn was in flight when its silo went away: it resumes from its
    /// last checkpoint as soon as the activation is done (see <see cref="TurnLoop"/> for its cut-off tool calls).
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Turn is not null && !state.State.Deleted)
        {
            _reminderMayExist = true;
            ScheduleTurnWork();
        }

        return Task.CompletedTask;
    }

    /// <summary>Between turns the reminder is not needed any more; with a turn unfinished it must stay.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.State.Turn is null && (_reminder is not null || _reminderMayExist))
        {
            await ForgetTurnAsync(_turnReminder);
        }
    }

    /// <summary>The turn reminder: an unfinished turn goes on (if it is not running already); without one the reminder goes.</summary>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Turn is null || !Exists)
        {
            _turnReminder = ForgetTurnAsync(_turnReminder);
        }
        else
        {
            AdvanceTurn();
        }

        return Task.CompletedTask;
    }

    public async Task<ConversationInfo> CreateAsync(NewConversation request)
    {
        if (Exists || _turn is not null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationExists, $"Conversation '{Id}' already exists.");
        }

        var tenant = GrainKeys.TenantOf(Key);
        var agentNotFound = new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{request.AgentId}' was not found.");
        var agent = AgentConfigValidator.IsValidId(request.AgentId)
            ? await GrainFactory.GetGrain<IAgentGrain>(GrainKeys.Agent(tenant, request.AgentId)).GetAsync() ?? throw agentNotFound
            : throw agentNotFound;

        state.State = new ConversationState
        {
            AgentId = agent.Id,
            AgentVersion = agent.Version,
            Owner = request.Owner,
            CreatedAt = clock.GetUtcNow(),
            Metadata = request.Metadata is null ? null : new Dictionary<string, string>(request.Metadata),
        };
        _history = null;
        _agent = agent;
        _permissions = null;
        await CheckpointAsync();
        await GrainFactory.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(tenant, request.Owner))
            .AddAsync(new ConversationSummary(Id, agent.Id, state.State.CreatedAt));
        return Info();
    }

    public Task<ConversationInfo?> GetAsync()
    {
        if (!Exists)
        {
            return Task.FromResult<ConversationInfo?>(null);
        }

        AdvanceTurn();
        return Task.FromResult<ConversationInfo?>(Info());
    }

    public Task<AcceptedTurn> StartAsync(NewMessage message) => throw new NotImplementedException("contract only: implemented on the core-events branch");

    public Task<ConversationEventBatch> ReadEventsAsync(long after, TimeSpan wait, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("contract only: implemented on the core-events branch");

    public Task<string?> CancelAsync() => throw new NotImplementedException("contract only: implemented on the core-events branch");

    public async Task<TurnOutcome> SendAsync(NewMessage request, CancellationToken cancellationToken = default)
    {
        var message = request.Content;
        EnsureExists();
        AdvanceTurn();
        if (_turn is not null || state.State.Turn is not null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, _turn is null && IsPaused(state.State.Turn!)
                ? $"Conversation '{Id}' is waiting for tool approvals (GET /conversations/{Id}/approvals)."
                : $"Conversation '{Id}' is running a turn.");
        }

        // No other call runs until the turn's first await, so the claim in StartTurn cannot race.
        // The turn belongs to the grain: a caller that goes away stops waiting, the turn goes on.
        return await StartTurn(message).WaitAsync(cancellationToken);
    }

    public async Task<MessagePage> GetMessagesAsync(string? before, int limit)
    {
        EnsureExists();
        var end = before is null ? History.Count : MessageIds.TryParse(before, out var index) ? index : throw InvalidCursor(before);
        return await History.PageAsync(end, Math.Clamp(limit, 1, MaxPageLimit));
    }

    public async Task<ConversationInfo> SetPermissionsAsync(IReadOnlyDictionary<string, ToolPermission>? permissions)
    {
        EnsureExists();
        var errors = AgentConfigValidator.ValidatePermissions(permissions);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var previous = state.State.Permissions;
        state.State.Permissions = permissions is { Count: > 0 } ? new Dictionary<string, ToolPermission>(permissions) : null;
        _permissions = null;
        try
        {
            await CheckpointAsync();
        }
        catch
        {
            state.State.Permissions = previous;
            _permissions = null;
            throw;
        }

        return Info();
    }

    public Task<IReadOnlyList<ApprovalRequest>> GetApprovalsAsync()
    {
        EnsureExists();
        AdvanceTurn();
        return Task.FromResult<IReadOnlyList<ApprovalRequest>>(PendingRequests());
    }

    public async Task<TurnOutcome> AnswerApprovalAsync(string approvalId, string decision, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        if (!ApprovalDecisions.IsAnswer(decision))
        {
            throw new ValidationFailedException([new FieldError("decision", "must be once, always or reject")]);
        }

        AdvanceTurn();
        var turn = state.State.Turn;
        var pending = turn?.Approvals.FirstOrDefault(a => a.Request.ApprovalId == approvalId);
        if ((pending?.Decision ?? state.State.AnsweredApprovals.LastOrDefault(a => a.ApprovalId == approvalId)?.Decision) is { } earlier)
        {
            throw new OpenCodeException(ErrorCodes.ApprovalAlreadyAnswered, earlier == ApprovalDecisions.Expired
                ? $"Approval '{approvalId}' expired before it was answered; its call was rejected."
                : $"Approval '{approvalId}' was already answered ({earlier}).");
        }

        if (pending is null)
        {
            throw new OpenCodeException(ErrorCodes.ApprovalNotFound, $"Conversation '{Id}' has no approval '{approvalId}'.");
        }

        Decide(turn!, pending, decision);
        if (decision == ApprovalDecisions.Always)
        {
            // Remembered for the tool in this conversation, so its other requests in this step need no answer either.
            state.State.AlwaysAllowed.Add(pending.Request.ToolName);
            foreach (var other in turn!.Unanswered.Where(a => a.Request.ToolName == pending.Request.ToolName).ToList())
            {
                Decide(turn, other, ApprovalDecisions.Always);
            }
        }

        // A running part of the turn picks the answer up; otherwise the turn continues now.
        return await (_turn ?? StartTurn(message: null)).WaitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync()
    {
        if (!Exists)
        {
            return false;
        }

        if (_turn is not null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, $"Conversation '{Id}' is running a turn.");
        }

        // Claimed before the first await: messages and reads arriving meanwhile see the conversation gone.
        _deleting = true;
        try
        {
            var pages = History.AllPages().ToList();
            var owner = state.State.Owner;
            state.State = new ConversationState { Deleted = true };
            _history = null;
            _turnTimer?.Dispose();
            _turnTimer = null;
            await CheckpointAsync();
            await Task.WhenAll(pages.Select(page => page.ClearAsync()));
            await GrainFactory.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(GrainKeys.TenantOf(Key), owner))
                .RemoveAsync(Id);
            return true;
        }
        finally
        {
            _deleting = false;
        }
    }

    /// <summary>Starts a new turn (with <paramref name="message"/>) or continues the paused one, and claims the conversation for it.</summary>
    private Task<TurnOutcome> StartTurn(string? message)
    {
        var turn = RunTurnAsync(message);
        if (!turn.IsCompleted)
        {
            _turn = turn;
        }

        return turn;
    }

    /// <summary>Runs the turn until it ends or pauses; a pause with answers that arrived meanwhile goes straight on.</summary>
    private async Task<TurnOutcome> RunTurnAsync(string? message)
    {
        try
        {
            var agent = await PinnedAgentAsync();
            if (message is not null)
            {
                BeginTurn(message);
                // Registered while the model works on the first request; the first checkpoint waits for it.
                _turnReminder = RememberTurnAsync(_turnReminder);
            }

            while (true)
            {
                var turn = state.State.Turn!;
                // The loop checkpoints the user message while the model works on the first request.
                var context = new TurnContext(
                    GrainKeys.Agent(GrainKeys.TenantOf(Key), agent.Id),
                    agent.Config,
                    turn,
                    History,
                    _permissions ??= ToolPermissions.From(agent.Config.Permissions, state.State.Permissions),
                    state.State.AlwaysAllowed,
                    CheckpointAsync,
                    usage => state.State.Usage = state.State.Usage.Add(usage));
                var outcome = await RunLoopAsync(context);
                if (!outcome.IsWaitingForApproval)
                {
                    return await EndTurnAsync(outcome);
                }

                await CheckpointAsync();
                if (!turn.HasAnswers)
                {
                    ScheduleTurnWork();
                    return outcome with { Approvals = PendingRequests() };
                }
            }
        }
        finally
        {
            _turn = null;
        }
    }

    private void BeginTurn(string message)
    {
        var turnId = "turn-" + Guid.NewGuid().ToString("N");
        var userMessage = tokens.Counted(new ConversationMessage
        {
            Index = History.Count,
            Role = MessageRoles.User,
            Content = message,
            CreatedAt = clock.GetUtcNow(),
            TurnId = turnId,
        });
        History.Append(userMessage);
        state.State.Turn = new ActiveTurn { TurnId = turnId, UserMessageIndex = userMessage.Index };
    }

    /// <summary>Closes the turn: calls still waiting for an approval are rejected, and the end is checkpointed.</summary>
    private async Task<TurnOutcome> EndTurnAsync(TurnOutcome outcome)
    {
        var turn = state.State.Turn!;
        if (turn.IsWaiting)
        {
            History.RejectWaitingCalls("Not run: the turn ended before the call was approved.");
            foreach (var approval in turn.Unanswered)
            {
                RememberAnswer(approval.Request.ApprovalId, ApprovalDecisions.Reject);
            }
        }

        state.State.Turn = null;
        _turnTimer?.Dispose();
        _turnTimer = null;
        await CheckpointAsync();
        return outcome;
    }

    /// <summary>
    /// Runs the loop; a fault of this server (not of the model or a tool) still ends the turn with an error. Storage
    /// failures are not such a fault: they reach the caller (a 503 when the store is unreachable).
    /// </summary>
    private async Task<TurnOutcome> RunLoopAsync(TurnContext context)
    {
        try
        {
            return await turnLoop.RunAsync(context, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OrleansException and not InconsistentStateException and not DbException)
        {
            LogTurnFault(logger, ex, Key, context.TurnId);
            context.History.FinishUnfinishedCalls(ToolCallStatuses.Failed, "The turn failed before the tool call finished.");
            return new TurnOutcome
            {
                TurnId = context.TurnId,
                UserMessage = (await History.ReadFromAsync(context.Turn.UserMessageIndex))[0],
                Error = new TurnError(ErrorCodes.InternalError, "The server failed while running the turn; the conversation can take new messages."),
            };
        }
    }

    private void Decide(ActiveTurn turn, PendingApproval approval, string decision)
    {
        turn.Approvals[turn.Approvals.IndexOf(approval)] = approval with { Decision = decision };
        RememberAnswer(approval.Request.ApprovalId, decision);
    }

    private void RememberAnswer(string approvalId, string decision)
    {
        var answered = state.State.AnsweredApprovals;
        answered.Add(new AnsweredApproval(approvalId, decision));
        if (answered.Count > ConversationState.AnsweredApprovalsKept)
        {
            answered.RemoveRange(0, answered.Count - ConversationState.AnsweredApprovalsKept);
        }
    }

    /// <summary>
    /// Rejects the requests whose expiry has passed; if the turn then has work to do (answers to carry out, or it
    /// is not paused at all, as after its silo died) and no part of it is running, it continues in the background.
    /// Called by the timer, the reminder and whenever the conversation is asked.
    /// </summary>
    private void AdvanceTurn()
    {
        if (state.State.Turn is not { } turn || _broken)
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var expired in turn.Unanswered.Where(a => a.Request.ExpiresAt <= now).ToList())
        {
            Decide(turn, expired, ApprovalDecisions.Expired);
        }

        if ((turn.HasAnswers || !IsPaused(turn)) && _turn is null)
        {
            _ = ContinueInBackgroundAsync();
        }
    }

    private async Task ContinueInBackgroundAsync()
    {
        try
        {
            await StartTurn(message: null);
        }
        catch (Exception ex)
        {
            LogTurnFault(logger, ex, Key, state.State.Turn?.TurnId ?? "");
        }
    }

    /// <summary>
    /// While the grain is active a timer wakes it when the earliest request expires (or at once when the turn has
    /// work, as after a restart). An inactive grain needs no timer: its reminder or the next call wakes it.
    /// </summary>
    private void ScheduleTurnWork()
    {
        _turnTimer?.Dispose();
        _turnTimer = null;
        if (state.State.Turn is not { } turn)
        {
            return;
        }

        var due = turn.HasAnswers || !IsPaused(turn)
            ? TimeSpan.Zero
            : turn.Unanswered.Min(a => a.Request.ExpiresAt) is { } earliest ? earliest - clock.GetUtcNow() : (TimeSpan?)null;
        if (due is { } delay)
        {
            _turnTimer = this.RegisterGrainTimer(
                () =>
                {
                    AdvanceTurn();
                    return Task.CompletedTask;
                },
                new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    /// <summary>
    /// Paused for approvals, with nothing left to run: a turn whose silo died between filing a request and
    /// finishing its step's calls still has calls marked running and resumes instead.
    /// </summary>
    private bool IsPaused(ActiveTurn turn) =>
        turn.IsWaiting && History.Newest?.ToolCalls?.Any(c => c.Status == ToolCallStatuses.Running) != true;

    private async Task RememberTurnAsync(Task previous)
    {
        await previous;
        if (_reminder is not null)
        {
            return;
        }

        var period = reminderOptions.Value.Period;
        _reminder = await this.RegisterOrUpdateReminder(TurnReminder, period, period);
    }

    private async Task ForgetTurnAsync(Task previous)
    {
        try
        {
            // A failed registration failed its turn already.
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            if ((_reminder ?? await this.GetReminder(TurnReminder)) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminder = null;
            _reminderMayExist = false;
        }
        catch (Exception ex)
        {
            LogReminderKept(logger, ex, Key);
        }
    }

    private List<ApprovalRequest> PendingRequests() => [.. state.State.Turn?.Unanswered.Select(a => a.Request) ?? []];

    /// <summary>The agent version this conversation started with; immutable, so read once per activation.</summary>
    private async Task<AgentSnapshot> PinnedAgentAsync() =>
        _agent ??= await GrainFactory.GetGrain<IAgentGrain>(GrainKeys.Agent(GrainKeys.TenantOf(Key), state.State.AgentId))
            .GetVersionAsync(state.State.AgentVersion)
        ?? throw new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{state.State.AgentId}' version {state.State.AgentVersion} was not found.");

    /// <summary>
    /// Spills full history pages, then writes the head. A failed write leaves memory ahead of storage, so
    /// the activation is dropped and the next call reloads what storage holds.
    /// </summary>
    private async Task CheckpointAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            // Nothing of a turn is durable before the reminder that would resume it is.
            await _turnReminder;
            await History.SpillAsync();
            await state.WriteStateAsync();
        }
        catch
        {
            _broken = true;
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private ConversationInfo Info() => new()
    {
        Id = Id,
        AgentId = state.State.AgentId,
        AgentVersion = state.State.AgentVersion,
        Status = state.State.Turn is not { } turn ? ConversationStatuses.Idle
            : _turn is null && IsPaused(turn) ? ConversationStatuses.WaitingApproval
            : ConversationStatuses.Running,
        CreatedAt = state.State.CreatedAt,
        MessageCount = state.State.MessageCount,
        Usage = state.State.Usage,
        Metadata = state.State.Metadata,
        Permissions = state.State.Permissions,
        AlwaysAllowedTools = state.State.AlwaysAllowed.Count == 0 ? null : [.. state.State.AlwaysAllowed.Order(StringComparer.Ordinal)],
    };

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{Id}' was not found.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The turn reminder of {Conversation} could not be removed; its next tick removes it")]
    private static partial void LogReminderKept(ILogger logger, Exception exception, string conversation);

    [LoggerMessage(Level = LogLevel.Error, Message = "Turn {TurnId} of {Conversation} failed")]
    private static partial void LogTurnFault(ILogger logger, Exception exception, string conversation, string turnId);

    private static ValidationFailedException InvalidCursor(string before) =>
        new([new FieldError("before", $"'{before}' is not a message id of this conversation")]);
}
