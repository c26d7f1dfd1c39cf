using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// The turn an idempotency key started: enough to answer a retry with the first result. <see cref="ContentHash"/>
/// tells a retry from a different message under the same key; the outcome members are set when the turn ends.
/// </summary>
[GenerateSerializer, Alias("OpenCode.IdempotentTurn")]
public sealed class IdempotentTurn
{
    [Id(0)] public string Key { get; set; } = "";
    [Id(1)] public string ContentHash { get; set; } = "";
    [Id(2)] public string TurnId { get; set; } = "";

    /// <summary>The seq the turn's events follow.</summary>
    [Id(3)] public long AfterSeq { get; set; }

    /// <summary>The user message's index once the turn started; -1 while it waits in the queue.</summary>
    [Id(4)] public long UserMessageIndex { get; set; } = -1;

    [Id(5)] public bool Ended { get; set; }
    [Id(6)] public TurnError? Error { get; set; }
}
