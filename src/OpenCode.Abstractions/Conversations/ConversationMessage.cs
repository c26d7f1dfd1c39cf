namespace OpenCode.Abstractions;

/// <summary>One message of a conversation's history.</summary>
/// <remarks>
/// <see cref="Index"/> is the message's position in the conversation (0-based); ids are derived from it
/// (<c>msg-{index}</c>) so a page cursor finds its history page without a lookup.
/// </remarks>
[GenerateSerializer, Immutable, Alias("OpenCode.ConversationMessage")]
public sealed record ConversationMessage
{
    [Id(0)] public long Index { get; init; }
    [Id(1)] public string Role { get; init; } = MessageRoles.User;
    [Id(2)] public string Content { get; init; } = "";
    [Id(3)] public IReadOnlyList<ToolCallRecord>? ToolCalls { get; init; }
    [Id(4)] public TokenUsage? Usage { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public string? TurnId { get; init; }

    // Id 7 held the message's token count, counted when it was appended; counts are now taken when a context
    // window needs them, and the serializer skips the field in messages written before.

    public string Id => MessageIds.Format(Index);
}
