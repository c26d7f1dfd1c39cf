namespace OpenCode.Abstractions;

/// <summary>
/// Events after a given seq, oldest first. <see cref="LastSeq"/> is the newest seq a reader may resume after
/// (past any gap left by deltas that are not kept), so a reader continues from it even when no event came.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ConversationEventBatch")]
public sealed record ConversationEventBatch(
    [property: Id(0)] IReadOnlyList<ConversationEvent> Events,
    [property: Id(1)] long LastSeq);
