using OpenCode.Abstractions;

namespace OpenCode.Client;

/// <summary>Conversations of the client's tenant, created for the client's user.</summary>
public sealed class ConversationsClient(IClusterClient cluster, OpenCodeClientOptions options)
{
    public Task<ConversationInfo> CreateAsync(string agentId, IReadOnlyDictionary<string, string>? metadata = null) =>
        Conversation(ConversationIds.New()).CreateAsync(new NewConversation(agentId, options.User, metadata));

    public Task<ConversationInfo?> GetAsync(string conversationId) => Conversation(conversationId).GetAsync();

    /// <summary>
    /// Runs a turn and returns its outcome: the reply, the error (<see cref="TurnOutcome.Error"/>) or the approvals
    /// the turn paused for (<see cref="TurnOutcome.Approvals"/>).
    /// </summary>
    public Task<TurnOutcome> SendAsync(string conversationId, string message, CancellationToken cancellationToken = default) =>
        Conversation(conversationId).SendAsync(new NewMessage(message), cancellationToken);

    public Task<IReadOnlyList<ApprovalRequest>> GetApprovalsAsync(string conversationId) => Conversation(conversationId).GetApprovalsAsync();

    /// <summary>Answers an approval (<see cref="ApprovalDecisions"/>) and returns the turn's outcome, or its next pause.</summary>
    public Task<TurnOutcome> AnswerApprovalAsync(string conversationId, string approvalId, string decision, CancellationToken cancellationToken = default) =>
        Conversation(conversationId).AnswerApprovalAsync(approvalId, decision, cancellationToken);

    /// <summary>Replaces the conversation's tool permissions, which take precedence over the agent's.</summary>
    public Task<ConversationInfo> SetPermissionsAsync(string conversationId, IReadOnlyDictionary<string, ToolPermission>? permissions) =>
        Conversation(conversationId).SetPermissionsAsync(permissions);

    /// <summary>Up to <paramref name="limit"/> messages before the message id <paramref name="before"/>, oldest first.</summary>
    public Task<MessagePage> GetMessagesAsync(string conversationId, string? before = null, int limit = 50) =>
        Conversation(conversationId).GetMessagesAsync(before, limit);

    public Task<bool> DeleteAsync(string conversationId) => Conversation(conversationId).DeleteAsync();

    public Task<ConversationListPage> ListAsync(string? cursor = null, int limit = 50) =>
        cluster.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(options.Tenant, options.User)).ListAsync(cursor, limit);

    private IConversationGrain Conversation(string conversationId) =>
        cluster.GetGrain<IConversationGrain>(GrainKeys.Conversation(options.Tenant, conversationId));
}
