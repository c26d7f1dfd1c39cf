namespace OpenCode.Runtime.Conversations;

/// <summary>An approval that was answered (or expired): answering it again is a conflict.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AnsweredApproval")]
public sealed record AnsweredApproval([property: Id(0)] string ApprovalId, [property: Id(1)] string Decision);
