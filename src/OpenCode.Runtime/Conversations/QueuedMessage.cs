namespace OpenCode.Runtime.Conversations;

/// <summary>A message waiting for its turn; its turn id is handed out when it is accepted.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.QueuedMessage")]
public sealed record QueuedMessage(
    [property: Id(0)] string TurnId,
    [property: Id(1)] string Content,
    [property: Id(2)] bool Stream);
