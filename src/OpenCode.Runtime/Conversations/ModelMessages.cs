using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// Maps history records to the Microsoft.Extensions.AI messages a model sees. An assistant step with tool
/// calls becomes the assistant message with its calls plus one tool message with their results.
/// </summary>
public static class ModelMessages
{
    public static IDictionary<string, object?> ParseArguments(string argumentsJson)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, object?>();
        }
    }

    public static ChatMessage[] From(ConversationMessage message)
    {
        if (message.Role != MessageRoles.Assistant)
        {
            return [new ChatMessage(ChatRole.User, message.Content)];
        }

        if (message.ToolCalls is not { Count: > 0 } calls)
        {
            return [new ChatMessage(ChatRole.Assistant, message.Content)];
        }

        var assistant = new List<AIContent>(calls.Count + 1);
        if (message.Content.Length > 0)
        {
            assistant.Add(new TextContent(message.Content));
        }

        var results = new List<AIContent>(calls.Count);
        foreach (var call in calls)
        {
            assistant.Add(new FunctionCallContent(call.Id, call.Name, ParseArguments(call.ArgumentsJson)));
            results.Add(new FunctionResultContent(call.Id, ResultForModel(call)));
        }

        return [new ChatMessage(ChatRole.Assistant, assistant), new ChatMessage(ChatRole.Tool, results)];
    }

    private static string ResultForModel(ToolCallRecord call) => call.Status switch
    {
        ToolCallStatuses.Completed => call.Result ?? "",
        ToolCallStatuses.Running or ToolCallStatuses.Interrupted =>
            "Error: the tool call was interrupted before its result was recorded; it may or may not have run.",
        _ => $"Error ({call.Status}): {call.Result}",
    };
}
