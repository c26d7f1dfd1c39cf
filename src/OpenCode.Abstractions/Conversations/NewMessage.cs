namespace OpenCode.Abstractions;

/// <summary>
/// A user message for a conversation. A repeat with the same <see cref="IdempotencyKey"/> and content gets the
/// first turn's result (or attaches to it while it runs); the same key with other content is refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.NewMessage")]
public sealed record NewMessage(
    [property: Id(0)] string Content,
    [property: Id(1)] string? IdempotencyKey = null);
