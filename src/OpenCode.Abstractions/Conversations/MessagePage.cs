namespace OpenCode.Abstractions;

/// <summary>Messages oldest first; <see cref="Next"/> is the id to pass as <c>before</c> for the older page, null at the start.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.MessagePage")]
public sealed record MessagePage(
    [property: Id(0)] IReadOnlyList<ConversationMessage> Messages,
    [property: Id(1)] string? Next);
