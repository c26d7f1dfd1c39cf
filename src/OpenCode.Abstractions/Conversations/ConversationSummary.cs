namespace OpenCode.Abstractions;

[GenerateSerializer, Immutable, Alias("OpenCode.ConversationSummary")]
public sealed record ConversationSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] DateTimeOffset CreatedAt);
