namespace OpenCode.Abstractions;

/// <summary>What the agent is for, as declared in the requirements' configuration format.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentCapabilities")]
public sealed record AgentCapabilities
{
    [Id(0)] public IReadOnlyList<string>? Tools { get; init; }
    [Id(1)] public IReadOnlyList<string>? Languages { get; init; }
    [Id(2)] public IReadOnlyList<string>? Frameworks { get; init; }
}
