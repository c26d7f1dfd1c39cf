namespace OpenCode.Abstractions;

/// <summary>
/// One conversation: owns its history, context window and the turn loop. Key: <c>{tenant}/{conversationId}</c>.
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
    /// Appends the user message and runs a turn to its end. The turn runs in the grain: cancelling
    /// <paramref name="cancellationToken"/> (the caller went away) stops the wait, not the turn.
    /// </summary>
    [Alias("Send"), ResponseTimeout("01:00:00")] // AgentLimits.MaxTurnTimeoutSeconds
    Task<TurnOutcome> SendAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> messages before the message id <paramref name="before"/> (the newest when null).</summary>
    [Alias("GetMessages")]
    Task<MessagePage> GetMessagesAsync(string? before, int limit);

    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
