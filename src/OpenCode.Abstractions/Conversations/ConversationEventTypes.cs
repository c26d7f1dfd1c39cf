namespace OpenCode.Abstractions;

/// <summary>The event types of API.md; every turn ends with exactly one terminal event.</summary>
public static class ConversationEventTypes
{
    public const string TurnStarted = "turn.started";
    public const string MessageDelta = "message.delta";
    public const string ToolCallStarted = "tool.call.started";
    public const string ToolApprovalRequested = "tool.approval.requested";
    public const string ToolCallCompleted = "tool.call.completed";
    public const string MessageCompleted = "message.completed";
    public const string TurnCompleted = "turn.completed";
    public const string TurnFailed = "turn.failed";
    public const string TurnCancelled = "turn.cancelled";

    public static bool IsTerminal(string type) => type is TurnCompleted or TurnFailed or TurnCancelled;
}
