namespace OpenCode.Abstractions;

/// <summary>
/// Who may see and use an agent besides those who manage agents: callers holding one of <see cref="Roles"/> or
/// named in <see cref="Users"/>. An agent without it is open to its whole tenant.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentAccess")]
public sealed record AgentAccess
{
    [Id(0)] public IReadOnlyList<string>? Roles { get; init; }
    [Id(1)] public IReadOnlyList<string>? Users { get; init; }
}
