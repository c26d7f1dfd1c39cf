using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A user's conversations as an append-only sequence: the newest in <see cref="Head"/>, older ones in
/// fixed-size pages, deletions as tombstones. Adding one writes a bounded amount however many there are.
/// </summary>
[GenerateSerializer, Alias("OpenCode.ConversationDirectoryState")]
public sealed class ConversationDirectoryState
{
    [Id(0)] public List<ConversationSummary> Head { get; set; } = [];

    /// <summary>How many of the oldest entries moved into pages (a multiple of the page size).</summary>
    [Id(1)] public long PagedCount { get; set; }

    /// <summary>Ids of deleted conversations; their entries stay so that positions never shift.</summary>
    [Id(2)] public HashSet<string> Removed { get; set; } = [];

    public long Count => PagedCount + Head.Count;
}
