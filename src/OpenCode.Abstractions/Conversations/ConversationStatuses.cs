namespace OpenCode.Abstractions;

public static class ConversationStatuses
{
    public const string Idle = "idle";
    public const string Running = "running";
    public const string WaitingApproval = "waiting_approval";
}
