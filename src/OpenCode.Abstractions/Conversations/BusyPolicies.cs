namespace OpenCode.Abstractions;

/// <summary>What a message to a conversation whose turn is still running (or paused for approvals) does.</summary>
public static class BusyPolicies
{
    /// <summary>Refused with <c>conversation_busy</c> (the default).</summary>
    public const string Reject = "reject";

    /// <summary>Runs after the turns before it, in order.</summary>
    public const string Enqueue = "enqueue";

    /// <summary>Cancels the running turn, then runs.</summary>
    public const string Interrupt = "interrupt";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Reject, Enqueue, Interrupt]);
}
