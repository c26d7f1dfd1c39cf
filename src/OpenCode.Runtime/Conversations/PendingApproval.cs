using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// An approval request, the position of its call in the newest step, and once given, its decision
/// (<see cref="ApprovalDecisions"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.PendingApproval")]
public sealed record PendingApproval(
    [property: Id(0)] ApprovalRequest Request,
    [property: Id(1)] int CallIndex,
    [property: Id(2)] string? Decision = null);
