namespace OpenCode.Abstractions;

/// <summary>What starts a conversation. The grain pins the agent's current version.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.NewConversation")]
public sealed record NewConversation(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string Owner,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Metadata);
