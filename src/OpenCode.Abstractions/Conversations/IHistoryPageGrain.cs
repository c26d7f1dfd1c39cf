namespace OpenCode.Abstractions;

/// <summary>A fixed-size page of a conversation's older messages, written once. Key: <c>{conversationKey}/{pageNumber}</c>.</summary>
[Alias("OpenCode.IHistoryPageGrain")]
public interface IHistoryPageGrain : IGrainWithStringKey
{
    [Alias("Write")]
    Task WriteAsync(IReadOnlyList<ConversationMessage> messages);

    [Alias("Read")]
    Task<IReadOnlyList<ConversationMessage>> ReadAsync();

    [Alias("Clear")]
    Task ClearAsync();
}
