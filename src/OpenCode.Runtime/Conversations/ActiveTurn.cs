using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A turn in flight, as far as it must survive the grain: a turn that paused for approvals continues from here
/// after a restart, with its step and call counts, usage and running time (waits for approval not counted).
/// </summary>
[GenerateSerializer, Alias("OpenCode.ActiveTurn")]
public sealed class ActiveTurn
{
    [Id(0)] public string TurnId { get; set; } = "";
    [Id(1)] public long UserMessageIndex { get; set; }
    [Id(2)] public int Steps { get; set; }
    [Id(3)] public int ToolCalls { get; set; }
    [Id(4)] public TokenUsage Usage { get; set; } = TokenUsage.Zero;
    [Id(5)] public TimeSpan RunningTime { get; set; }

    /// <summary>The approvals of the newest step not yet applied: unanswered, or answered and waiting to be carried out.</summary>
    [Id(6)] public List<PendingApproval> Approvals { get; set; } = [];

    public bool IsWaiting => Approvals.Count > 0;

    public IEnumerable<PendingApproval> Unanswered => Approvals.Where(a => a.Decision is null);

    public bool HasAnswers => Approvals.Any(a => a.Decision is not null);
}
