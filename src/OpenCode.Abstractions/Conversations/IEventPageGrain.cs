namespace OpenCode.Abstractions;

/// <summary>A page of a conversation's older events. Key: <c>{conversationKey}/events/{pageNumber}</c>.</summary>
[Alias("OpenCode.IEventPageGrain")]
public interface IEventPageGrain : IPageGrain<ConversationEvent>;
