namespace OpenCode.Abstractions;

/// <summary>A page of a user's older conversations. Key: <c>{directoryKey}/{pageNumber}</c>.</summary>
[Alias("OpenCode.IConversationDirectoryPageGrain")]
public interface IConversationDirectoryPageGrain : IPageGrain<ConversationSummary>;
