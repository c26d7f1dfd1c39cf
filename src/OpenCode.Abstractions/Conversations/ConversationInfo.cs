namespace OpenCode.Abstractions;

/// <summary>A conversation's head: what <c>GET /conversations/{id}</c> returns.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ConversationInfo")]
public sealed record ConversationInfo
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public string AgentId { get; init; } = "";
    [Id(2)] public int AgentVersion { get; init; }
    [Id(3)] public string Status { get; init; } = ConversationStatuses.Idle;
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public long MessageCount { get; init; }
    [Id(6)] public TokenUsage Usage { get; init; } = TokenUsage.Zero;
    [Id(7)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>This conversation's tool permissions; they take precedence over the agent's.</summary>
    [Id(8)] public IReadOnlyDictionary<string, ToolPermission>? Permissions { get; init; }

    /// <summary>Tools approved with <see cref="ApprovalDecisions.Always"/>: their <c>ask</c> calls run without asking.</summary>
    [Id(9)] public IReadOnlyList<string>? AlwaysAllowedTools { get; init; }
}
