namespace OpenCode.Abstractions;

/// <summary>How a turn ended: the reply (with every tool call of the turn and its total usage) or the error.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.TurnOutcome")]
public sealed record TurnOutcome
{
    [Id(0)] public string TurnId { get; init; } = "";
    [Id(1)] public ConversationMessage UserMessage { get; init; } = new();
    [Id(2)] public ConversationMessage? Reply { get; init; }
    [Id(3)] public TurnError? Error { get; init; }

    public bool Succeeded => Error is null;
}
