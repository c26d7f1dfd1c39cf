using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;
using Orleans.Concurrency;
using Orleans.Storage;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// One conversation: its head state, its history and the turn loop. Reentrant so that reads (and, later,
/// cancel and approvals) are answered while a turn is in flight; at most one turn runs at a time and
/// state writes are serialized through <see cref="CheckpointAsync"/>.
/// </summary>
[Reentrant]
public sealed partial class ConversationGrain(
    [PersistentState("conversation", OpenCodeStorage.Name)] IPersistentState<ConversationState> state,
    TurnLoop turnLoop,
    TokenCounter tokens,
    TimeProvider clock,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private const int MaxPageLimit = 200;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private ConversationHistory? _history;
    private AgentSnapshot? _agent;
    private Task<TurnOutcome>? _turn;
    private bool _deleting;

    private string Key => this.GetPrimaryKeyString();

    private string Id => GrainKeys.IdOf(Key);

    private bool Exists => state.RecordExists && !state.State.Deleted && !_deleting;

    private ConversationHistory History => _history ??= new ConversationHistory(state.State, GrainFactory, Key);

    /// <summary>
    /// A turn that was in flight when its silo went away left its tool calls unfinished: they are reported
    /// interrupted (never re-run here) and the turn is closed, so the conversation takes new messages.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.ActiveTurnId is null || state.State.Deleted)
        {
            return;
        }

        History.FinishUnfinishedCalls(ToolCallStatuses.Interrupted, "The server stopped before the tool call's result was recorded.");
        state.State.ActiveTurnId = null;
        await CheckpointAsync();
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
        await CheckpointAsync();
        await GrainFactory.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(tenant, request.Owner))
            .AddAsync(new ConversationSummary(Id, agent.Id, state.State.CreatedAt));
        return Info();
    }

    public Task<ConversationInfo?> GetAsync() => Task.FromResult(Exists ? Info() : null);

    public async Task<TurnOutcome> SendAsync(string message, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        if (_turn is not null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationBusy, $"Conversation '{Id}' is running a turn.");
        }

        // No other call runs until the turn's first await, so the claim below cannot race.
        var turn = RunTurnAsync(message);
        if (!turn.IsCompleted)
        {
            _turn = turn;
        }

        // The turn belongs to the grain: a caller that goes away stops waiting, the turn goes on.
        return await turn.WaitAsync(cancellationToken);
    }

    public async Task<MessagePage> GetMessagesAsync(string? before, int limit)
    {
        EnsureExists();
        var end = before is null ? History.Count : MessageIds.TryParse(before, out var index) ? index : throw InvalidCursor(before);
        return await History.PageAsync(end, Math.Clamp(limit, 1, MaxPageLimit));
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

    private async Task<TurnOutcome> RunTurnAsync(string message)
    {
        var turnId = "turn-" + Guid.NewGuid().ToString("N");
        var history = History;
        try
        {
            var agent = await PinnedAgentAsync();
            var userMessage = tokens.Counted(new ConversationMessage
            {
                Index = history.Count,
                Role = MessageRoles.User,
                Content = message,
                CreatedAt = clock.GetUtcNow(),
                TurnId = turnId,
            });
            history.Append(userMessage);
            state.State.ActiveTurnId = turnId;

            // The loop checkpoints the user message while the model works on the first request.
            var context = new TurnContext(turnId, agent.Config, history, CheckpointAsync, usage => state.State.Usage = state.State.Usage.Add(usage));
            var outcome = await RunLoopAsync(context, userMessage);

            state.State.ActiveTurnId = null;
            await CheckpointAsync();
            return outcome;
        }
        finally
        {
            _turn = null;
        }
    }

    /// <summary>Runs the loop; a fault of this server (not of the model or a tool) still ends the turn with an error.</summary>
    private async Task<TurnOutcome> RunLoopAsync(TurnContext context, ConversationMessage userMessage)
    {
        try
        {
            return await turnLoop.RunAsync(context, userMessage, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OrleansException and not InconsistentStateException)
        {
            LogTurnFault(logger, ex, Key, context.TurnId);
            context.History.FinishUnfinishedCalls(ToolCallStatuses.Failed, "The turn failed before the tool call finished.");
            return new TurnOutcome
            {
                TurnId = context.TurnId,
                UserMessage = userMessage,
                Error = new TurnError(ErrorCodes.InternalError, "The server failed while running the turn; the conversation can take new messages."),
            };
        }
    }

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
            await History.SpillAsync();
            await state.WriteStateAsync();
        }
        catch
        {
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
        Status = _turn is null ? ConversationStatuses.Idle : ConversationStatuses.Running,
        CreatedAt = state.State.CreatedAt,
        MessageCount = state.State.MessageCount,
        Usage = state.State.Usage,
        Metadata = state.State.Metadata,
    };

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{Id}' was not found.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Turn {TurnId} of {Conversation} failed")]
    private static partial void LogTurnFault(ILogger logger, Exception exception, string conversation, string turnId);

    private static ValidationFailedException InvalidCursor(string before) =>
        new([new FieldError("before", $"'{before}' is not a message id of this conversation")]);
}
