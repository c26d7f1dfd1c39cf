using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

/// <summary>A tool whose definition changed: the accepted one, the one the server offers now, and when it was accepted.</summary>
public sealed record ToolChangeView(
    string Tool,
    string Server,
    DateTimeOffset DetectedAt,
    DateTimeOffset? AcceptedAt,
    ToolDefinitionView Previous,
    ToolDefinitionView Current)
{
    public static ToolChangeView From(ToolChange change) => new(
        change.Tool,
        change.Current.Server,
        change.DetectedAt,
        change.AcceptedAt,
        ToolDefinitionView.From(change.Previous),
        ToolDefinitionView.From(change.Current));
}

public sealed record ToolDefinitionView(string Server, string? Description, JsonElement InputSchema, string Hash)
{
    public static ToolDefinitionView From(ToolDefinition definition) =>
        new(definition.Server, definition.Description, JsonSchemas.Parse(definition.InputSchemaJson), definition.Hash);
}

public sealed record ToolChangeListView(IReadOnlyList<ToolChangeView> Changes);
