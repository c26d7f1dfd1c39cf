namespace OpenCode.Abstractions;

/// <summary>Why a turn failed; <see cref="Code"/> is one of <see cref="ErrorCodes"/>.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.TurnError")]
public sealed record TurnError([property: Id(0)] string Code, [property: Id(1)] string Message);
