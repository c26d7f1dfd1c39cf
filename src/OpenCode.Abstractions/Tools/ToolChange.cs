namespace OpenCode.Abstractions;

/// <summary>A tool whose definition differs from the one its agent accepted; until accepted, its calls are asked for.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ToolChange")]
public sealed record ToolChange(
    [property: Id(0)] string Tool,
    [property: Id(1)] ToolDefinition Previous,
    [property: Id(2)] ToolDefinition Current,
    [property: Id(3)] DateTimeOffset DetectedAt,
    [property: Id(4)] DateTimeOffset? AcceptedAt = null);
