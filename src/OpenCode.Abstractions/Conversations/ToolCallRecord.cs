namespace OpenCode.Abstractions;

/// <summary>A tool call the model made and what came of it.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ToolCallRecord")]
public sealed record ToolCallRecord
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public string Name { get; init; } = "";
    /// <summary>The arguments as the model sent them: a JSON object.</summary>
    [Id(2)] public string ArgumentsJson { get; init; } = "{}";
    /// <summary>See <see cref="ToolCallStatuses"/>.</summary>
    [Id(3)] public string Status { get; init; } = ToolCallStatuses.Completed;
    [Id(4)] public string? Result { get; init; }
    [Id(5)] public double DurationMs { get; init; }
}
