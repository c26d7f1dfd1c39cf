namespace OpenCode.Abstractions;

/// <summary>What starts a conversation (its owner is part of its key). The grain pins the agent's current version.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.NewConversation")]
public sealed record NewConversation(
    [property: Id(0)] string AgentId,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Metadata);
