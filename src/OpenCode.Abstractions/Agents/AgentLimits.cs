namespace OpenCode.Abstractions;

[GenerateSerializer, Immutable, Alias("OpenCode.AgentLimits")]
public sealed record AgentLimits
{
    public const int DefaultMaxSteps = 20;
    public const int DefaultMaxToolCallsPerTurn = 50;
    public const int DefaultTurnTimeoutSeconds = 600;

    /// <summary>A turn may not outlive the grain call that waits for it (<c>IConversationGrain.SendAsync</c>: one hour).</summary>
    public const int MaxTurnTimeoutSeconds = 3600;

    [Id(0)] public int? MaxSteps { get; init; }
    [Id(1)] public int? MaxToolCallsPerTurn { get; init; }
    [Id(2)] public int? TurnTimeoutSeconds { get; init; }
}
