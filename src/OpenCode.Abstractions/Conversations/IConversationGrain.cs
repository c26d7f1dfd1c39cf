namespace OpenCode.Abstractions;

/// <summary>
/// One conversation: owns its history, context window, the turn loop and its approvals. Key: <c>{tenant}/{conversationId}</c>.
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
    /// (<see cref="TurnOutcome.Approvals"/>). The turn runs in the grain: cancelling
    /// <paramref name="cancellationToken"/> (the caller went away) stops the wait, not the turn.
    /// </summary>
    [Alias("Send"), ResponseTimeout("01:00:00")] // AgentLimits.MaxTurnTimeoutSeconds
    Task<TurnOutcome> SendAsync(string message, CancellationToken cancellationToken = default);

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
