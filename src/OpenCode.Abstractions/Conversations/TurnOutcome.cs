namespace OpenCode.Abstractions;

/// <summary>
/// How a turn ended, or where it paused: the reply (with every tool call of the turn and its total usage), the
/// error, or the approvals the turn waits for (it continues when they are answered).
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.TurnOutcome")]
public sealed record TurnOutcome
{
    [Id(0)] public string TurnId { get; init; } = "";
    [Id(1)] public ConversationMessage UserMessage { get; init; } = new();
    [Id(2)] public ConversationMessage? Reply { get; init; }
    [Id(3)] public TurnError? Error { get; init; }

    /// <summary>Set when the turn paused: the tool calls waiting for an answer.</summary>
    [Id(4)] public IReadOnlyList<ApprovalRequest>? Approvals { get; init; }

    public bool IsWaitingForApproval => Approvals is { Count: > 0 };

    public bool Succeeded => Error is null && !IsWaitingForApproval;
}
