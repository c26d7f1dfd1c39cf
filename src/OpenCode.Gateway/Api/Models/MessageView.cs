using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record MessageView(
    string Id,
    string Role,
    string Content,
    IReadOnlyList<ToolCallView>? ToolCalls,
    TokenUsage? Usage,
    DateTimeOffset CreatedAt,
    string? TurnId)
{
    public static MessageView From(ConversationMessage message) => new(
        message.Id,
        message.Role,
        message.Content,
        message.ToolCalls?.Select(ToolCallView.From).ToList(),
        message.Usage,
        message.CreatedAt,
        message.TurnId);
}

public sealed record ToolCallView(string Id, string Name, JsonElement Arguments, string Status, string? Result, double DurationMs)
{
    public static ToolCallView From(ToolCallRecord call) => new(call.Id, call.Name, ParseArguments(call.ArgumentsJson), call.Status, call.Result, call.DurationMs);

    /// <summary>Arguments are shown as the JSON object the model sent; anything else as the string it was.</summary>
    public static JsonElement ParseArguments(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
