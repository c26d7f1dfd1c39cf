namespace OpenCode.Abstractions;

/// <summary>A tool call whose permission is <c>ask</c>, waiting for a person to answer it (see <see cref="ApprovalDecisions"/>).</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ApprovalRequest")]
public sealed record ApprovalRequest
{
    [Id(0)] public string ApprovalId { get; init; } = "";
    [Id(1)] public string TurnId { get; init; } = "";
    [Id(2)] public string CallId { get; init; } = "";
    [Id(3)] public string ToolName { get; init; } = "";
    /// <summary>The arguments as the model sent them: a JSON object.</summary>
    [Id(4)] public string ArgumentsJson { get; init; } = "{}";
    [Id(5)] public DateTimeOffset RequestedAt { get; init; }
    /// <summary>When an unanswered request is rejected (<c>limits.approvalTimeoutSeconds</c>); null: never.</summary>
    [Id(6)] public DateTimeOffset? ExpiresAt { get; init; }
}
