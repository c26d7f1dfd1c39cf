namespace OpenCode.Abstractions;

public static class ToolCallStatuses
{
    /// <summary>Started and not yet recorded as finished: after a crash it is reported interrupted, not re-run.</summary>
    public const string Running = "running";

    /// <summary>Not started: the call's permission is <c>ask</c> and its approval request is unanswered.</summary>
    public const string WaitingApproval = "waiting_approval";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
    public const string Interrupted = "interrupted";
    public const string Cancelled = "cancelled";

    /// <summary>A status no call leaves: the call's <c>tool.call.completed</c> event is due.</summary>
    public static bool IsFinal(string status) => status is Completed or Failed or Rejected or Interrupted or Cancelled;
}
