namespace OpenCode.Abstractions;

/// <summary>One version of an agent as stored: what <c>GET /agents/{id}</c> returns.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentSnapshot")]
public sealed record AgentSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Version,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] AgentConfig Config);
