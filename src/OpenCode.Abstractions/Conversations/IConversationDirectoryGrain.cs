namespace OpenCode.Abstractions;

/// <summary>A user's conversations, for <c>GET /conversations</c>. Key: <c>{tenant}/{user}</c>. Not on the turn path.</summary>
[Alias("OpenCode.IConversationDirectoryGrain")]
public interface IConversationDirectoryGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(ConversationSummary conversation);

    [Alias("Remove")]
    Task RemoveAsync(string conversationId);

    [Alias("List")]
    Task<ConversationListPage> ListAsync(string? cursor, int limit);
}
