namespace OpenCode.Abstractions;

/// <summary>A page of a conversation's older messages. Key: <c>{conversationKey}/{pageNumber}</c>.</summary>
[Alias("OpenCode.IHistoryPageGrain")]
public interface IHistoryPageGrain : IPageGrain<ConversationMessage>;
