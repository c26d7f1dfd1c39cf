namespace OpenCode.Abstractions;

/// <summary>
/// One event of a conversation's event log (<see cref="ConversationEventTypes"/>). <see cref="Seq"/> grows by one
/// per event of the conversation; deltas are kept only while their message is in flight, so the persisted log
/// has gaps where they were. Which of the other members are set depends on <see cref="Type"/>.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("OpenCode.ConversationEvent")]
public sealed record ConversationEvent
{
    [Id(0)] public long Seq { get; init; }
    [Id(1)] public string Type { get; init; } = "";
    [Id(2)] public string? TurnId { get; init; }

    /// <summary><c>turn.started</c>: the user message; <c>message.delta</c>: the message being written; <c>turn.completed</c>: the reply.</summary>
    [Id(3)] public string? MessageId { get; init; }

    /// <summary><c>message.delta</c>: the next piece of the reply.</summary>
    [Id(4)] public string? Text { get; init; }

    /// <summary><c>tool.call.started</c> / <c>tool.call.completed</c>: the call (id, name, arguments; status and result when completed).</summary>
    [Id(5)] public ToolCallRecord? Call { get; init; }

    /// <summary><c>tool.approval.requested</c>.</summary>
    [Id(6)] public ApprovalRequest? Approval { get; init; }

    /// <summary><c>message.completed</c>: the whole message.</summary>
    [Id(7)] public ConversationMessage? Message { get; init; }

    /// <summary><c>turn.completed</c>: the turn's token usage.</summary>
    [Id(8)] public TokenUsage? Usage { get; init; }

    /// <summary><c>turn.failed</c>.</summary>
    [Id(9)] public TurnError? Error { get; init; }

    public bool IsTerminal => ConversationEventTypes.IsTerminal(Type);
}
