using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Limits;
using OpenCode.Runtime.Privacy;
using OpenCode.Runtime.Telemetry;
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
/// Every turn reports its progress as events in the conversation's <see cref="ConversationEventLog"/>, which
/// readers follow from any silo; messages arriving while a turn is in flight follow the agent's busy policy
/// (rejected, queued, or interrupting the turn), and an idempotency key makes a retried message run once.
/// A new turn starts only if the server's limits admit it (<see cref="TurnQuota"/>: the owner's concurrent turns,
/// the tenant's tokens of the day); the turn holds its owner's slot until it ends.
/// </summary>
[Reentrant]
public sealed partial class ConversationGrain(
    [PersistentState("conversation", OpenCodeStorage.Name)] IPersistentState<ConversationState> state,
    TurnLoop turnLoop,
    ToolCallAudit toolCallAudit,
    TurnQuota quota,
    TimeProvider clock,
    IOptions<TurnReminderOptions> reminderOptions,
    IOptions<PrivacyOptions> privacy,
    OpenCodeMetrics metrics,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, IRemindable
{
    private const int MaxPageLimit = 200;
    private const string TurnReminder = "turn";

    /// <summary>The longest a read waits for events; readers wait about the heartbeat interval of their stream.</summary>
    private static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(60);

    /// <summary>Replies are streamed while someone read the events this recently (or reads now).</summary>
    private static readonly TimeSpan ReaderRecency = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private ConversationHistory? _history;
    private ConversationEventLog? _events;
    private AgentSnapshot? _agent;
    private ToolPermissions? _permissions;

    /// <summary>The part of the turn running now: until the turn ends or pauses for approvals.</summary>
    private Task<TurnOutcome>? _turn;
    private CancellationTokenSource? _turnCancel;

    /// <summary>The turn in flight was started to be streamed (<see cref="StartAsync"/>).</summary>
    private bool _streamTurn;

    /// <summary>A new turn waiting for the server's limits to admit it (its idempotency key, if any); the conversation is busy meanwhile.</summary>
    private (string TurnId, string? IdempotencyKey)? _admission;

    /// <summary>Callers waiting for queued turns to end or pause, by turn id.</summary>
    private readonly Dictionary<string, TaskCompletionSource<TurnOutcome>> _queuedWaiters = [];
    private int _readers;
    private DateTimeOffset _lastRead = DateTimeOffset.MinValue;
    private IGrainTimer? _turnTimer;
    private bool _deleting;

    /// <summary>Registering or removing the turn reminder, one after the other; checkpoints wait for a registration.</summary>
    private Task _turnReminder = Task.CompletedTask;
    private IGrainReminder? _reminder;

    // Activated with a turn unfinished: the reminder its silo registered may still be there.
    private bool _reminderMayExist;

    /// <summary>A write failed: memory may be ahead of storage, so nothing more runs on this activation.</summary>
    private bool _broken;

    /// <summary>Audit records of tool calls that reached their final status, appended by the next checkpoint.</summary>
    private readonly List<AuditEntry> _unrecordedCalls = [];

    private string Key => this.GetPrimaryKeyString();

    private string Id => GrainKeys.IdOf(Key);

    private string Tenant => GrainKeys.TenantOf(Key);

    private bool Exists => state.RecordExists && !state.State.Deleted && !_deleting;

    private ConversationHistory History => _history ??= new ConversationHistory(state.State, GrainFactory, Key, privacy.Value.MaskPii);

    private ConversationEventLog Events => _events ??= new ConversationEventLog(state.State, History, GrainFactory, Key);

    /// <summary>
    /// A turn paused for approvals stays paused: its requests stay answerable, expired ones are rejected and
    /// answered ones are carried out. Any other turn was in flight when its silo went away: it resumes from its
    /// last checkpoint as soon as the activation is done (see <see cref="TurnLoop"/> for its cut-off tool calls).
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Deleted)
        {
            return;
        }

        if (state.State.Turn is not null)
        {
            // The lost activation may have handed out seqs to deltas it never wrote: they are not handed out again.
            state.State.LastSeq += ConversationEventLog.SeqJumpAfterLoss;
            await state.WriteStateAsync(cancellationToken);
            _reminderMayExist = true;
            ScheduleTurnWork();
        }
        else if (state.State.Queue.Count > 0)
        {
            _reminderMayExist = true;
            ScheduleTurnWork();
        }
    }

    /// <summary>Between turns the reminder is not needed any more; with a turn unfinished it must stay.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!HasUnfinishedWork && (_reminder is not null || _reminderMayExist))
        {
            await ForgetTurnAsync(_turnReminder);
        }
    }

    /// <summary>The turn reminder: an unfinished turn goes on (if it is not running already); without one the reminder goes.</summary>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!HasUnfinishedWork || !Exists)
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
            Owner = GrainKeys.OwnerOf(Key),
            CreatedAt = clock.GetUtcNow(),
            Metadata = request.Metadata is null ? null : new Dictionary<string, string>(request.Metadata),
        };
        _history = null;
        _events = null;
        _agent = agent;
        _permissions = null;
        await CheckpointAsync();
        await GrainFactory.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(tenant, state.State.Owner))
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

    public async Task<TurnOutcome> SendAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        var (_, outcome) = await AcceptAsync(message, stream: false);
        // The turn belongs to the grain: a caller that goes away stops waiting, the turn goes on.
        return await outcome.WaitAsync(cancellationToken);
    }

    public async Task<AcceptedTurn> StartAsync(NewMessage message)
    {
        var (accepted, outcome) = await AcceptAsync(message, stream: true);
        _ = outcome.ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
        return accepted;
    }

    public async Task<ConversationEventBatch> ReadEventsAsync(long after, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        AdvanceTurn();
        _readers++;
        try
        {
            return await Events.ReadAsync(Math.Max(0, after), wait < MaxReadWait ? wait : MaxReadWait, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Where the reader was, not the newest seq: events published meanwhile were not read.
            return new ConversationEventBatch([], Math.Min(Math.Max(0, after), Events.ReadableSeq));
        }
        finally
        {
            _readers--;
            _lastRead = clock.GetUtcNow();
        }
    }

    public async Task<string?> CancelAsync()
    {
        EnsureExists();
        var cancelled = state.State.Turn?.TurnId ?? state.State.Queue.FirstOrDefault()?.TurnId;
        if (state.State.Queue.Count > 0)
        {
            CancelQueued();
            if (state.State.Turn is null || _turn is not null)
            {
                await CheckpointAsync();
            }
        }

        if (_turn is not null)
        {
            // The running part stops at its next await and ends the turn with turn.cancelled.
            await _turnCancel!.CancelAsync();
        }
        else if (state.State.Turn is not null)
        {
            await EndTurnAsync(await CancelledOutcomeAsync());
        }

        return cancelled;
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

        if (_turn is not null || _admission is not null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, $"Conversation '{Id}' is running a turn.");
        }

        // Claimed before the first await: messages and reads arriving meanwhile see the conversation gone.
        _deleting = true;
        try
        {
            var pages = History.AllPages().Cast<IPageGrain<ConversationMessage>>().ToList();
            var eventPages = Events.AllPages().ToList();
            var owner = state.State.Owner;
            var pausedTurn = state.State.Turn?.TurnId;
            state.State = new ConversationState { Deleted = true };
            _history = null;
            _events = null;
            _turnTimer?.Dispose();
            _turnTimer = null;
            await CheckpointAsync();
            if (pausedTurn is not null)
            {
                await quota.ReleaseAsync(Tenant, owner, pausedTurn);
            }

            await Task.WhenAll([.. pages.Select(page => page.ClearAsync()), .. eventPages.Select(page => page.ClearAsync())]);
            await GrainFactory.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(GrainKeys.TenantOf(Key), owner))
                .RemoveAsync(Id);
            return true;
        }
        finally
        {
            _deleting = false;
        }
    }

    /// <summary>
    /// Takes a message: a repeat of an idempotency key gets the turn it started; a busy conversation applies the
    /// agent's busy policy; otherwise the turn starts. The task completes when the turn ends or pauses.
    /// </summary>
    private async Task<(AcceptedTurn Turn, Task<TurnOutcome> Outcome)> AcceptAsync(NewMessage message, bool stream)
    {
        EnsureExists();
        if (string.IsNullOrWhiteSpace(message.Content))
        {
            throw new ValidationFailedException([new FieldError("message", "is required and must not be empty")]);
        }

        AdvanceTurn();
        var contentHash = message.IdempotencyKey is null ? "" : Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(message.Content)));
        if (message.IdempotencyKey is { } key && state.State.IdempotentTurns.Find(t => t.Key == key) is { } known)
        {
            return known.ContentHash == contentHash
                ? (new AcceptedTurn(known.TurnId, UserMessageId(known.UserMessageIndex), known.AfterSeq), OutcomeOfAsync(known))
                : throw new OpenCodeException(ErrorCodes.IdempotencyKeyReused, $"Idempotency key '{key}' was used for a different message.");
        }

        if (message.IdempotencyKey is not null && _admission?.IdempotencyKey == message.IdempotencyKey)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, $"The message with idempotency key '{message.IdempotencyKey}' is being started; try again.");
        }

        var policy = (await PinnedAgentAsync()).Config.BusyPolicy ?? BusyPolicies.Reject;
        if (IsBusy && policy == BusyPolicies.Interrupt)
        {
            await InterruptAsync();
        }

        var queued = new QueuedMessage("turn-" + Guid.NewGuid().ToString("N"), message.Content, stream);
        var afterSeq = state.State.LastSeq;
        if (!IsBusy)
        {
            if (quota.Enabled && await AdmitAsync(queued.TurnId, message.IdempotencyKey) is { } refusal)
            {
                // Refused, the message is not taken: nothing is recorded, and a retry with the same key may run later.
                AdvanceTurn();
                throw new OpenCodeException(refusal.Code, refusal.Message);
            }

            RememberIdempotentTurn(message.IdempotencyKey, contentHash, queued.TurnId, afterSeq);
            // No other call runs until the turn's first await, so the claim in StartTurn cannot race.
            var outcome = StartTurn(queued);
            return (new AcceptedTurn(queued.TurnId, UserMessageId(state.State.Turn?.UserMessageIndex ?? -1), afterSeq), outcome);
        }

        RememberIdempotentTurn(message.IdempotencyKey, contentHash, queued.TurnId, afterSeq);

        if (policy != BusyPolicies.Enqueue)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, _turn is null && state.State.Turn is { } paused && IsPaused(paused)
                ? $"Conversation '{Id}' is waiting for tool approvals (GET /conversations/{Id}/approvals)."
                : $"Conversation '{Id}' is running a turn.");
        }

        state.State.Queue.Add(queued);
        var waiter = QueuedWaiter(queued.TurnId);
        _turnReminder = RememberTurnAsync(_turnReminder);
        await CheckpointAsync();
        return (new AcceptedTurn(queued.TurnId, null, afterSeq), waiter);
    }

    /// <summary>A turn runs, waits for approvals or to be admitted, or messages wait for their turn.</summary>
    private bool IsBusy => _turn is not null || _admission is not null || state.State.Turn is not null || state.State.Queue.Count > 0;

    private bool HasUnfinishedWork => state.State.Turn is not null || state.State.Queue.Count > 0;

    /// <summary>What a repeat of an idempotency key gets: the turn's result, waiting for it while it runs or waits in the queue.</summary>
    private async Task<TurnOutcome> OutcomeOfAsync(IdempotentTurn known)
    {
        if (state.State.Turn is { } turn && turn.TurnId == known.TurnId)
        {
            return _turn is { } running ? await running : await PausedOutcomeAsync(turn);
        }

        if (!known.Ended)
        {
            return await QueuedWaiter(known.TurnId);
        }

        if (known.UserMessageIndex < 0)
        {
            return NotStartedOutcome(known.TurnId, known.Error ?? CancelledError);
        }

        var (user, steps) = await History.ReadTurnAsync(known.UserMessageIndex, known.TurnId);
        return known.Error is { } error || steps.Count == 0
            ? new TurnOutcome { TurnId = known.TurnId, UserMessage = user, Error = known.Error ?? new TurnError(ErrorCodes.InternalError, "The turn ended without a reply.") }
            : TurnLoop.Completed(known.TurnId, user, steps, steps.Aggregate(TokenUsage.Zero, (sum, m) => sum.Add(m.Usage)));
    }

    private Task<TurnOutcome> QueuedWaiter(string turnId)
    {
        if (!_queuedWaiters.TryGetValue(turnId, out var waiter))
        {
            waiter = new TaskCompletionSource<TurnOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queuedWaiters[turnId] = waiter;
        }

        return waiter.Task;
    }

    private void RememberIdempotentTurn(string? key, string contentHash, string turnId, long afterSeq)
    {
        if (key is null)
        {
            return;
        }

        var turns = state.State.IdempotentTurns;
        turns.Add(new IdempotentTurn { Key = key, ContentHash = contentHash, TurnId = turnId, AfterSeq = afterSeq });
        if (turns.Count > ConversationState.IdempotentTurnsKept)
        {
            turns.RemoveRange(0, turns.Count - ConversationState.IdempotentTurnsKept);
        }
    }

    /// <summary>Cancels the turn in flight and waits for it to end (<c>busyPolicy: interrupt</c>).</summary>
    private async Task InterruptAsync()
    {
        if (_turn is { } running)
        {
            await _turnCancel!.CancelAsync();
            await ((Task)running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        if (_turn is null && state.State.Turn is not null)
        {
            await EndTurnAsync(await CancelledOutcomeAsync());
        }
    }

    /// <summary>Every queued message's turn ends before it began: each gets its terminal event and its waiter an answer.</summary>
    private void CancelQueued()
    {
        foreach (var queued in state.State.Queue)
        {
            Emit(new ConversationEvent { Type = ConversationEventTypes.TurnCancelled, TurnId = queued.TurnId });
            EndIdempotentTurn(queued.TurnId, CancelledError);
            if (_queuedWaiters.Remove(queued.TurnId, out var waiter))
            {
                waiter.TrySetResult(NotStartedOutcome(queued.TurnId, CancelledError));
            }
        }

        state.State.Queue.Clear();
    }

    /// <summary>
    /// Asks the server's limits whether a new turn may start: null when it may (it then holds its owner's slot), else
    /// why not. The conversation counts as busy meanwhile, so no other turn starts while the answer is awaited.
    /// </summary>
    private async Task<TurnError?> AdmitAsync(string turnId, string? idempotencyKey)
    {
        _admission = (turnId, idempotencyKey);
        try
        {
            return await quota.AdmitAsync(Tenant, state.State.Owner, turnId, TurnLease(await PinnedAgentAsync()));
        }
        finally
        {
            _admission = null;
        }
    }

    /// <summary>A queued message the server's limits refuse when its time comes: its turn fails before it began.</summary>
    private async Task<TurnOutcome> RefuseQueuedAsync(QueuedMessage message, TurnError refusal)
    {
        Emit(new ConversationEvent { Type = ConversationEventTypes.TurnFailed, TurnId = message.TurnId, Error = refusal });
        EndIdempotentTurn(message.TurnId, refusal);
        await CheckpointAsync();
        AdvanceTurn();
        return NotStartedOutcome(message.TurnId, refusal);
    }

    /// <summary>Starts a new turn (with <paramref name="message"/>) or continues the paused one, and claims the conversation for it.</summary>
    private Task<TurnOutcome> StartTurn(QueuedMessage? message)
    {
        if (message is not null)
        {
            BeginTurn(message);
            // Registered while the model works on the first request; the first checkpoint waits for it.
            _turnReminder = RememberTurnAsync(_turnReminder);
        }

        _turnCancel = new CancellationTokenSource();
        var turn = RunTurnAsync(_turnCancel, resumed: message is null);
        if (!turn.IsCompleted)
        {
            _turn = turn;
        }

        return turn;
    }

    /// <summary>
    /// Runs the turn until it ends or pauses; a pause with answers that arrived meanwhile goes straight on. A turn
    /// that resumes (after a pause or on another silo) holds its owner's slot again.
    /// </summary>
    private async Task<TurnOutcome> RunTurnAsync(CancellationTokenSource cancel, bool resumed)
    {
        try
        {
            var agent = await PinnedAgentAsync();
            if (resumed)
            {
                await quota.RenewAsync(Tenant, state.State.Owner, state.State.Turn!.TurnId, TurnLease(agent));
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
                    usage =>
                    {
                        state.State.Usage = state.State.Usage.Add(usage);
                        return quota.ChargeAsync(Tenant, turn.TurnId, usage);
                    },
                    Emit,
                    () => _streamTurn || _readers > 0 || clock.GetUtcNow() - _lastRead < ReaderRecency);
                var outcome = await RunLoopAsync(context, cancel.Token);
                if (outcome.IsWaitingForApproval && cancel.IsCancellationRequested)
                {
                    outcome = await CancelledOutcomeAsync();
                }

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
            _turnCancel = null;
            cancel.Dispose();
            if (state.State.Turn is null && state.State.Queue.Count > 0 && !_broken)
            {
                _ = ContinueInBackgroundAsync();
            }
        }
    }

    private void BeginTurn(QueuedMessage message)
    {
        var userMessage = new ConversationMessage
        {
            Index = History.Count,
            Role = MessageRoles.User,
            Content = message.Content,
            CreatedAt = clock.GetUtcNow(),
            TurnId = message.TurnId,
        };
        History.Append(userMessage);
        state.State.Turn = new ActiveTurn { TurnId = message.TurnId, UserMessageIndex = userMessage.Index };
        _streamTurn = message.Stream;
        if (state.State.IdempotentTurns.Find(t => t.TurnId == message.TurnId) is { } idempotent)
        {
            idempotent.UserMessageIndex = userMessage.Index;
        }

        // One id string for both events: a checkpoint writes a string once however often it occurs.
        var userMessageId = userMessage.Id;
        Emit(new ConversationEvent { Type = ConversationEventTypes.TurnStarted, TurnId = message.TurnId, MessageId = userMessageId });
        Emit(new ConversationEvent { Type = ConversationEventTypes.MessageCompleted, TurnId = message.TurnId, MessageId = userMessageId, Message = userMessage });
    }

    /// <summary>
    /// Closes the turn: calls still waiting for an approval are rejected, the terminal event is logged and the
    /// end is checkpointed. The next queued message's turn starts when this one's running part is done.
    /// </summary>
    private async Task<TurnOutcome> EndTurnAsync(TurnOutcome outcome)
    {
        var turn = state.State.Turn!;
        if (turn.IsWaiting)
        {
            foreach (var call in History.RejectWaitingCalls("Not run: the turn ended before the call was approved."))
            {
                Emit(new ConversationEvent { Type = ConversationEventTypes.ToolCallCompleted, Call = call });
            }

            foreach (var approval in turn.Unanswered)
            {
                RememberAnswer(approval.Request.ApprovalId, ApprovalDecisions.Reject);
            }
        }

        Emit(outcome.Error switch
        {
            { Code: ErrorCodes.TurnCancelled } => new ConversationEvent { Type = ConversationEventTypes.TurnCancelled },
            { } error => new ConversationEvent { Type = ConversationEventTypes.TurnFailed, Error = error },
            null => new ConversationEvent { Type = ConversationEventTypes.TurnCompleted, MessageId = outcome.Reply?.Id, Usage = turn.Usage },
        });
        EndIdempotentTurn(turn.TurnId, outcome.Error);
        state.State.Turn = null;
        _streamTurn = false;
        _turnTimer?.Dispose();
        _turnTimer = null;
        // Released before the end is readable: whoever sees the terminal event finds the slot free.
        await quota.ReleaseAsync(Tenant, state.State.Owner, turn.TurnId);
        await CheckpointAsync();
        metrics.TurnEnded(outcome.Error, turn.RunningTime);
        if (_turn is null && _admission is null && state.State.Queue.Count > 0)
        {
            // Ended outside a running part (a cancelled pause): nothing else starts the next turn.
            _ = ContinueInBackgroundAsync();
        }

        return outcome;
    }

    private void EndIdempotentTurn(string turnId, TurnError? error)
    {
        if (state.State.IdempotentTurns.Find(t => t.TurnId == turnId) is { } idempotent)
        {
            idempotent.Ended = true;
            idempotent.Error = error;
        }
    }

    /// <summary>Logs an event of the turn in flight (the event's own turn id, if set, wins); a finished tool call is also audited.</summary>
    private void Emit(ConversationEvent e)
    {
        if (e is { Type: ConversationEventTypes.ToolCallCompleted, Call: { } call })
        {
            _unrecordedCalls.Add(toolCallAudit.Record(Key, e.TurnId ?? state.State.Turn?.TurnId, call));
        }

        Events.Append(e, state.State.Turn?.TurnId);
    }

    private async Task<TurnOutcome> CancelledOutcomeAsync()
    {
        var turn = state.State.Turn!;
        return new TurnOutcome
        {
            TurnId = turn.TurnId,
            UserMessage = (await History.ReadTurnAsync(turn.UserMessageIndex, turn.TurnId)).User,
            Error = CancelledError,
        };
    }

    private async Task<TurnOutcome> PausedOutcomeAsync(ActiveTurn turn) => new()
    {
        TurnId = turn.TurnId,
        UserMessage = (await History.ReadTurnAsync(turn.UserMessageIndex, turn.TurnId)).User,
        Approvals = PendingRequests(),
    };

    /// <summary>
    /// Runs the loop; a fault of this server (not of the model or a tool) still ends the turn with an error. Storage
    /// failures are not such a fault: they reach the caller (a 503 when the store is unreachable).
    /// </summary>
    private async Task<TurnOutcome> RunLoopAsync(TurnContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await turnLoop.RunAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OrleansException and not InconsistentStateException and not DbException)
        {
            LogTurnFault(logger, Key, context.TurnId, ex.ToString());
            foreach (var call in context.History.FinishUnfinishedCalls(ToolCallStatuses.Failed, "The turn failed before the tool call finished."))
            {
                Emit(new ConversationEvent { Type = ConversationEventTypes.ToolCallCompleted, Call = call });
            }

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
        if (_broken)
        {
            return;
        }

        if (state.State.Turn is not { } turn)
        {
            if (state.State.Queue.Count > 0 && _turn is null && _admission is null)
            {
                _ = ContinueInBackgroundAsync();
            }

            return;
        }

        // Called on every read of the events: nothing to look at while a turn runs without approvals.
        if (turn.IsWaiting)
        {
            var now = clock.GetUtcNow();
            foreach (var expired in turn.Unanswered.Where(a => a.Request.ExpiresAt <= now).ToList())
            {
                Decide(turn, expired, ApprovalDecisions.Expired);
            }
        }

        if (_turn is null && (turn.HasAnswers || !IsPaused(turn)))
        {
            _ = ContinueInBackgroundAsync();
        }
    }

    /// <summary>Continues the turn in flight, or starts the next queued message's turn and gives its waiter the outcome.</summary>
    private async Task ContinueInBackgroundAsync()
    {
        TaskCompletionSource<TurnOutcome>? waiter = null;
        try
        {
            if (state.State.Turn is not null)
            {
                await StartTurn(message: null);
                return;
            }

            var next = state.State.Queue[0];
            state.State.Queue.RemoveAt(0);
            _queuedWaiters.Remove(next.TurnId, out waiter);
            var outcome = quota.Enabled && await AdmitAsync(next.TurnId, idempotencyKey: null) is { } refusal
                ? await RefuseQueuedAsync(next, refusal)
                : await StartTurn(next);
            waiter?.TrySetResult(outcome);
        }
        catch (Exception ex)
        {
            waiter?.TrySetException(ex);
            LogTurnFault(logger, Key, state.State.Turn?.TurnId ?? "", ex.ToString());
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
            if (state.State.Queue.Count > 0)
            {
                _turnTimer = this.RegisterGrainTimer(
                    () =>
                    {
                        AdvanceTurn();
                        return Task.CompletedTask;
                    },
                    new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
            }

            return;
        }

        var due = turn.HasAnswers || !IsPaused(turn)
            ? TimeSpan.Zero
            : turn.Unanswered.Min(a => a.Request.ExpiresAt) is { } earliest ? earliest - clock.GetUtcNow() : (TimeSpan?)null;
        if (due is { } delay)
        {
            _turnTimer = this.RegisterGrainTimer(
                OnTurnTimer,
                new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    private Task OnTurnTimer()
    {
        AdvanceTurn();
        // A timer can fire a moment before the expiry it was set for: nothing expired yet, so it is set again
        // (else the turn would wait for the reminder, a minute later).
        if (_turn is null && state.State.Turn is { } turn && IsPaused(turn) && !turn.HasAnswers)
        {
            ScheduleTurnWork();
        }

        return Task.CompletedTask;
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
            LogReminderKept(logger, MaskedException.From(ex), Key);
        }
    }

    private List<ApprovalRequest> PendingRequests() => [.. state.State.Turn?.Unanswered.Select(a => a.Request) ?? []];

    /// <summary>The agent version this conversation started with; immutable, so read once per activation.</summary>
    private async Task<AgentSnapshot> PinnedAgentAsync() =>
        _agent ??= await GrainFactory.GetGrain<IAgentGrain>(GrainKeys.Agent(GrainKeys.TenantOf(Key), state.State.AgentId))
            .GetVersionAsync(state.State.AgentVersion)
        ?? throw new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{state.State.AgentId}' version {state.State.AgentVersion} was not found.");

    /// <summary>
    /// Appends the audit records of finished tool calls, spills full history pages, then writes the head. A failed
    /// write leaves memory ahead of storage, so the activation is dropped and the next call reloads what storage holds.
    /// </summary>
    private async Task CheckpointAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            // Nothing of a turn is durable before the reminder that would resume it is.
            await _turnReminder;
            // A call's final status is not durable before its audit record is (see ToolCallAudit).
            if (_unrecordedCalls.Count > 0)
            {
                var records = _unrecordedCalls.ToArray();
                await toolCallAudit.AppendAsync(records);
                _unrecordedCalls.RemoveRange(0, records.Length);
            }

            await History.SpillAsync();
            await Events.SpillAsync();
            var written = state.State.LastSeq;
            await state.WriteStateAsync();
            Events.Written(written);
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
    private static partial void LogReminderKept(ILogger logger, Exception exception, [Pii] string conversation);

    // A conversation's key names its owner (an e-mail address, with some identity providers); the exception goes as
    // classified text: its message may quote what the turn was working on.
    [LoggerMessage(Level = LogLevel.Error, Message = "Turn {TurnId} of {Conversation} failed: {Error}")]
    private static partial void LogTurnFault(ILogger logger, [Pii] string conversation, string turnId, [Pii] string error);

    private static readonly TurnError CancelledError = new(ErrorCodes.TurnCancelled, "The turn was cancelled.");

    private static string? UserMessageId(long index) => index < 0 ? null : MessageIds.Format(index);

    /// <summary>A turn that ended before its user message was appended: cancelled or refused while queued.</summary>
    private static TurnOutcome NotStartedOutcome(string turnId, TurnError error) =>
        new() { TurnId = turnId, UserMessage = new ConversationMessage { Index = -1, TurnId = turnId }, Error = error };

    /// <summary>How long a turn holds its owner's slot without renewing it: its time limit, after which it has ended anyway.</summary>
    private static TimeSpan TurnLease(AgentSnapshot agent) =>
        TimeSpan.FromSeconds(agent.Config.Limits?.TurnTimeoutSeconds ?? AgentLimits.DefaultTurnTimeoutSeconds);

    private static ValidationFailedException InvalidCursor(string before) =>
        new([new FieldError("before", $"'{before}' is not a message id of this conversation")]);
}
