namespace OpenCode.Abstractions;

/// <summary>What one turn may use; reaching a limit ends the turn with <see cref="ErrorCodes.LimitExceeded"/>.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AgentLimits")]
public sealed record AgentLimits
{
    public const int DefaultMaxSteps = 20;
    public const int DefaultMaxToolCallsPerTurn = 50;
    public const int DefaultTurnTimeoutSeconds = 600;

    /// <summary>About 25,000 tokens: room for a long file or page, while one result cannot fill a context window on its own.</summary>
    public const int DefaultMaxToolResultChars = 100_000;

    /// <summary>The most a tool result may be allowed to keep: it is stored, streamed and sent to the model with every later step.</summary>
    public const int MaxToolResultCharsCeiling = 1_000_000;

    /// <summary>A turn may not outlive the grain call that waits for it (<c>IConversationGrain.SendAsync</c>: one hour).</summary>
    public const int MaxTurnTimeoutSeconds = 3600;

    /// <summary>The longest an approval may stay unanswered before it is rejected: 30 days.</summary>
    public const int MaxApprovalTimeoutSeconds = 30 * 24 * 3600;

    [Id(0)] public int? MaxSteps { get; init; }
    [Id(1)] public int? MaxToolCallsPerTurn { get; init; }

    /// <summary>How long a turn may run; time spent waiting for approvals does not count.</summary>
    [Id(2)] public int? TurnTimeoutSeconds { get; init; }

    /// <summary>Input plus output tokens the model reports for the whole turn; no budget when absent.</summary>
    [Id(3)] public long? MaxTokensPerTurn { get; init; }

    /// <summary>How long an approval request waits for an answer before it is rejected; no expiry when absent.</summary>
    [Id(4)] public int? ApprovalTimeoutSeconds { get; init; }

    /// <summary>
    /// The characters of a tool's result that are kept; a longer result is cut in the middle (the model is told so),
    /// before it is recorded, streamed or sent to the model.
    /// </summary>
    [Id(5)] public int? MaxToolResultChars { get; init; }
}
