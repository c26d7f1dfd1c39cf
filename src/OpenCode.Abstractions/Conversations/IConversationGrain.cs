namespace OpenCode.Abstractions;

/// <summary>
/// One conversation: owns its history, context window, the turn loop and its approvals. Key: <c>{tenant}/{owner}/{conversationId}</c>.
/// </summary>
[Alias("OpenCode.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<ConversationInfo> CreateAsync(NewConversation request);

    /// <summary>The conversation's head, or null when it does not exist.</summary>
    [Alias("Get")]
    Task<ConversationInfo?> GetAsync();

    /// <summary>
    /// Appends the user message and runs a turn until it ends or pauses for approvals
    /// (<see cref="TurnOutcome.Approvals"/>); a busy conversation applies its agent's <see cref="BusyPolicies"/>.
    /// The turn runs in the grain: cancelling <paramref name="cancellationToken"/> (the caller went away) stops
    /// the wait, not the turn. Fails with <c>conversation_busy</c> or <c>idempotency_key_reused</c>.
    /// </summary>
    [Alias("Send"), ResponseTimeout("01:00:00")] // AgentLimits.MaxTurnTimeoutSeconds
    Task<TurnOutcome> SendAsync(NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the message like <see cref="SendAsync"/> but answers at once; the turn streams its reply (deltas)
    /// into the event log, where its events follow <see cref="AcceptedTurn.AfterSeq"/>.
    /// </summary>
    [Alias("Start")]
    Task<AcceptedTurn> StartAsync(NewMessage message);

    /// <summary>
    /// The events after <paramref name="after"/> (0: from the start), at once when there are any, else the
    /// first ones to come within <paramref name="wait"/> (an empty batch when none came). A seq newer than the
    /// log (events lost with a silo) reads from the newest durable event on.
    /// </summary>
    [Alias("ReadEvents"), ResponseTimeout("00:02:00")]
    Task<ConversationEventBatch> ReadEventsAsync(long after, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels the running or paused turn and drops queued messages' turns: it ends with <c>turn.cancelled</c>.
    /// The id of the cancelled turn, or null when there was none.
    /// </summary>
    [Alias("Cancel")]
    Task<string?> CancelAsync();

    /// <summary>Up to <paramref name="limit"/> messages before the message id <paramref name="before"/> (the newest when null).</summary>
    [Alias("GetMessages")]
    Task<MessagePage> GetMessagesAsync(string? before, int limit);

    /// <summary>Replaces this conversation's tool permissions (null or empty: the agent's alone apply).</summary>
    [Alias("SetPermissions")]
    Task<ConversationInfo> SetPermissionsAsync(IReadOnlyDictionary<string, ToolPermission>? permissions);

    /// <summary>The approval requests the paused turn waits for, oldest first.</summary>
    [Alias("GetApprovals")]
    Task<IReadOnlyList<ApprovalRequest>> GetApprovalsAsync();

    /// <summary>
    /// Answers an approval request (<see cref="ApprovalDecisions"/>) and waits for the turn to end or pause again.
    /// Fails with <c>approval_not_found</c> or <c>approval_already_answered</c>.
    /// </summary>
    [Alias("AnswerApproval"), ResponseTimeout("01:00:00")]
    Task<TurnOutcome> AnswerApprovalAsync(string approvalId, string decision, CancellationToken cancellationToken = default);

    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
