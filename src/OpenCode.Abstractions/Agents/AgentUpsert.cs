namespace OpenCode.Abstractions;

/// <summary>
/// What <see cref="IAgentGrain.UpsertAsync"/> did: the agent's current version, whether this call wrote it (a new or
/// changed configuration) and whether it thereby created the agent (none existed, or it was deleted). Told by the
/// grain, so callers racing with the same configuration learn that only one of them changed anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentUpsert")]
public sealed record AgentUpsert(
    [property: Id(0)] AgentSnapshot Agent,
    [property: Id(1)] bool Changed,
    [property: Id(2)] bool Created);
