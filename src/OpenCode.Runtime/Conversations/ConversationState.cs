using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A conversation's head: its identity, the newest messages, running totals, its own tool permissions and the
/// turn in flight. Older messages live in history pages, so this state (and each checkpoint) stays bounded
/// however long the conversation gets.
/// </summary>
[GenerateSerializer, Alias("OpenCode.ConversationState")]
public sealed class ConversationState
{
    /// <summary>How many answered approval ids are remembered, so answering one again is a conflict rather than "not found".</summary>
    public const int AnsweredApprovalsKept = 100;

    /// <summary>How many idempotency keys are remembered: a retry comes soon after the first try.</summary>
    public const int IdempotentTurnsKept = 100;

    [Id(0)] public string AgentId { get; set; } = "";
    [Id(1)] public int AgentVersion { get; set; }
    [Id(2)] public string Owner { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>The newest messages, oldest first; message <c>i</c> of the conversation is <c>Head[i - PagedCount]</c>.</summary>
    [Id(5)] public List<ConversationMessage> Head { get; set; } = [];

    /// <summary>How many of the oldest messages were moved into history pages (a multiple of the page size).</summary>
    [Id(6)] public long PagedCount { get; set; }

    [Id(7)] public TokenUsage Usage { get; set; } = TokenUsage.Zero;

    [Id(9)] public bool Deleted { get; set; }

    /// <summary>The turn in flight, if any: set when the user message is appended, cleared when the turn ends.</summary>
    [Id(10)] public ActiveTurn? Turn { get; set; }

    /// <summary>This conversation's tool permissions (<c>PATCH /conversations/{id}</c>), above the agent's.</summary>
    [Id(11)] public Dictionary<string, ToolPermission>? Permissions { get; set; }

    /// <summary>Tools approved with <c>always</c>: their <c>ask</c> calls run without asking again.</summary>
    [Id(12)] public HashSet<string> AlwaysAllowed { get; set; } = [];

    /// <summary>The newest answered approvals, oldest first, at most <see cref="AnsweredApprovalsKept"/>.</summary>
    [Id(13)] public List<AnsweredApproval> AnsweredApprovals { get; set; } = [];

    /// <summary>The newest events of the event log, oldest first, without deltas; older ones live in event pages.</summary>
    [Id(14)] public List<ConversationEvent> Events { get; set; } = [];

    /// <summary>How many of the oldest events were moved into event pages (a multiple of the page size).</summary>
    [Id(15)] public long PagedEvents { get; set; }

    /// <summary>The newest seq handed out (deltas included).</summary>
    [Id(16)] public long LastSeq { get; set; }

    /// <summary>Messages waiting for the turn before them (<c>busyPolicy: enqueue</c>), oldest first.</summary>
    [Id(17)] public List<QueuedMessage> Queue { get; set; } = [];

    /// <summary>The newest turns started with an idempotency key, oldest first, at most <see cref="IdempotentTurnsKept"/>.</summary>
    [Id(18)] public List<IdempotentTurn> IdempotentTurns { get; set; } = [];

    public long MessageCount => PagedCount + Head.Count;
}
