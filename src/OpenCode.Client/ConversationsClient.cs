using System.Runtime.CompilerServices;
using OpenCode.Abstractions;

namespace OpenCode.Client;

/// <summary>Conversations of the client's tenant, created for the client's user.</summary>
public sealed class ConversationsClient(IClusterClient cluster, OpenCodeClientOptions options)
{
    /// <summary>How long one <see cref="IConversationGrain.ReadEventsAsync"/> call waits for events (well inside its response timeout).</summary>
    public static readonly TimeSpan EventPollWait = TimeSpan.FromSeconds(15);

    public Task<ConversationInfo> CreateAsync(string agentId, IReadOnlyDictionary<string, string>? metadata = null) =>
        Conversation(ConversationIds.New()).CreateAsync(new NewConversation(agentId, metadata));

    public Task<ConversationInfo?> GetAsync(string conversationId) => Conversation(conversationId).GetAsync();

    /// <summary>
    /// Runs a turn and returns its outcome: the reply, the error (<see cref="TurnOutcome.Error"/>) or the approvals
    /// the turn paused for (<see cref="TurnOutcome.Approvals"/>).
    /// </summary>
    public Task<TurnOutcome> SendAsync(string conversationId, string message, CancellationToken cancellationToken = default) =>
        Conversation(conversationId).SendAsync(new NewMessage(message), cancellationToken);

    /// <summary>
    /// Takes the message for a turn that runs in the grain and answers at once; the turn's events follow
    /// <see cref="AcceptedTurn.AfterSeq"/> (<see cref="EventsAsync"/>). A retry with the same
    /// <paramref name="idempotencyKey"/> gets the same turn and runs nothing twice.
    /// </summary>
    public Task<AcceptedTurn> StartAsync(string conversationId, string message, string? idempotencyKey = null) =>
        Conversation(conversationId).StartAsync(new NewMessage(message, idempotencyKey));

    /// <summary>
    /// Every event of the conversation after <paramref name="after"/> (0: from the start), then the live ones as they
    /// come, until <paramref name="cancellationToken"/> is cancelled (which ends the enumeration with
    /// <see cref="OperationCanceledException"/>). A failed read (the grain's silo went away, a timeout) is retried
    /// with backoff from the last event seen, so nothing is skipped or repeated; errors of the conversation itself
    /// (<see cref="OpenCodeException"/>) end it.
    /// </summary>
    public async IAsyncEnumerable<ConversationEvent> EventsAsync(
        string conversationId, long after = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in Conversation(conversationId).FollowAsync(after, EventPollWait, cancellationToken: cancellationToken))
        {
            foreach (var conversationEvent in batch.Events)
            {
                yield return conversationEvent;
            }
        }
    }

    /// <summary>
    /// Starts a turn (<see cref="StartAsync"/>) and yields its events, ending with its terminal event
    /// (<c>turn.completed</c>, <c>turn.failed</c> or <c>turn.cancelled</c>). Events of other turns (a queued
    /// message's, under <c>busyPolicy: enqueue</c>) are left out. Cancelling <paramref name="cancellationToken"/>
    /// stops the watching, not the turn (<see cref="CancelAsync"/> stops the turn).
    /// </summary>
    public async IAsyncEnumerable<ConversationEvent> StreamTurnAsync(
        string conversationId, string message, string? idempotencyKey = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = await StartAsync(conversationId, message, idempotencyKey);
        await foreach (var conversationEvent in EventsAsync(conversationId, turn.AfterSeq, cancellationToken))
        {
            if (conversationEvent.TurnId != turn.TurnId)
            {
                continue;
            }

            yield return conversationEvent;
            if (conversationEvent.IsTerminal)
            {
                yield break;
            }
        }
    }

    /// <summary>Cancels the running or paused turn, which ends with <c>turn.cancelled</c>; its id, or null when none ran.</summary>
    public Task<string?> CancelAsync(string conversationId) => Conversation(conversationId).CancelAsync();

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
        cluster.GetGrain<IConversationGrain>(GrainKeys.Conversation(options.Tenant, options.User, conversationId));
}
