namespace OpenCode.Benchmarks;

/// <summary>One timed request: whether it succeeded and how long it took (set-up such as creating a conversation excluded).</summary>
public readonly record struct TurnResult(bool Ok, TimeSpan Elapsed);
