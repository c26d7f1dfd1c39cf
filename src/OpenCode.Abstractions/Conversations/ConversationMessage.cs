namespace OpenCode.Abstractions;

/// <summary>One message of a conversation's history.</summary>
/// <remarks>
/// <see cref="Index"/> is the message's position in the conversation (0-based); ids are derived from it
/// (<c>msg-{index}</c>) so a page cursor finds its history page without a lookup.
/// </remarks>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("OpenCode.ConversationMessage")]
public sealed record ConversationMessage
{
    [Id(0)] public long Index { get; init; }
    [Id(1)] public string Role { get; init; } = MessageRoles.User;
    [Id(2)] public string Content { get; init; } = "";
    [Id(3)] public IReadOnlyList<ToolCallRecord>? ToolCalls { get; init; }
    [Id(4)] public TokenUsage? Usage { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public string? TurnId { get; init; }

    /// <summary>
    /// At least the tokens this message takes in a context window: its UTF-8 size, set when it enters the history
    /// (messages stored by earlier versions hold their exact count). Exact counts are taken only when a window
    /// needs them; silos of earlier versions, which fit their windows with this number, read it during a rolling upgrade.
    /// </summary>
    [Id(7)] public int TokenCount { get; init; }

    public string Id => MessageIds.Format(Index);
}
