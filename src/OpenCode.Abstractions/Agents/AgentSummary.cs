namespace OpenCode.Abstractions;

[GenerateSerializer, Immutable, Alias("OpenCode.AgentSummary")]
public sealed record AgentSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Version,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] AgentAccess? Access = null);
