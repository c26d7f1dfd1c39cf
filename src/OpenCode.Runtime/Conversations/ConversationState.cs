using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A conversation's head: its identity, the newest messages and running totals. Older messages live in
/// history pages, so this state (and each checkpoint) stays bounded however long the conversation gets.
/// </summary>
[GenerateSerializer, Alias("OpenCode.ConversationState")]
public sealed class ConversationState
{
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

    /// <summary>The turn in flight, if any: set when the user message is appended, cleared when the turn ends.</summary>
    [Id(8)] public string? ActiveTurnId { get; set; }

    [Id(9)] public bool Deleted { get; set; }

    public long MessageCount => PagedCount + Head.Count;
}
