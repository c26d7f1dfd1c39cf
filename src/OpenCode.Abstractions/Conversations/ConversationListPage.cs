namespace OpenCode.Abstractions;

/// <summary>Conversations newest first; <see cref="Next"/> is the cursor for the next page, null at the end.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ConversationListPage")]
public sealed record ConversationListPage(
    [property: Id(0)] IReadOnlyList<ConversationSummary> Conversations,
    [property: Id(1)] string? Next);
