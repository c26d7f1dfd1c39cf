namespace OpenCode.Abstractions;

/// <summary>Why a turn failed; <see cref="Code"/> is one of <see cref="ErrorCodes"/>.</summary>
/// <param name="Limit">For <see cref="ErrorCodes.LimitExceeded"/>: the limit's name in <see cref="AgentLimits"/> (e.g. <c>maxSteps</c>).</param>
/// <param name="Reached">For <see cref="ErrorCodes.LimitExceeded"/>: the value the turn reached (steps, tool calls, seconds or tokens).</param>
[GenerateSerializer, Immutable, Alias("OpenCode.TurnError")]
public sealed record TurnError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message,
    [property: Id(2)] string? Limit = null,
    [property: Id(3)] long? Reached = null);
