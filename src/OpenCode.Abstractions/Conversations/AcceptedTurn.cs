namespace OpenCode.Abstractions;

/// <summary>
/// A message taken for a turn that runs in the grain. Its events follow <see cref="AfterSeq"/> in the event log and
/// carry <see cref="TurnId"/>. <see cref="UserMessageId"/> is null while the message waits in the queue
/// (<c>busyPolicy: enqueue</c>): it gets its place in the history when its turn starts.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.AcceptedTurn")]
public sealed record AcceptedTurn(
    [property: Id(0)] string TurnId,
    [property: Id(1)] string? UserMessageId,
    [property: Id(2)] long AfterSeq);
