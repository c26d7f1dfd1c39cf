using System.Text.Json;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// The <c>data</c> of an event (API.md, Events), the same for SSE and WebSocket. Written straight to a
/// <see cref="Utf8JsonWriter"/>: a delta is one of these per token.
/// </summary>
public static class ConversationEventJson
{
    public static void Write(Utf8JsonWriter json, string conversationId, ConversationEvent e)
    {
        json.WriteStartObject();
        json.WriteString("conversationId"u8, conversationId);
        json.WriteNumber("seq"u8, e.Seq);
        json.WriteString("type"u8, e.Type);
        if (e.TurnId is not null)
        {
            json.WriteString("turnId"u8, e.TurnId);
        }

        switch (e.Type)
        {
            case ConversationEventTypes.MessageDelta:
                WriteOptionalString(json, "messageId"u8, e.MessageId);
                json.WriteString("text"u8, e.Text ?? "");
                break;
            case ConversationEventTypes.TurnStarted:
                WriteOptionalString(json, "userMessageId"u8, e.MessageId);
                break;
            case ConversationEventTypes.ToolCallStarted when e.Call is { } call:
                WriteCall(json, call);
                break;
            case ConversationEventTypes.ToolCallCompleted when e.Call is { } call:
                WriteCall(json, call);
                json.WriteString("status"u8, call.Status);
                WriteOptionalString(json, "result"u8, call.Result);
                break;
            case ConversationEventTypes.ToolApprovalRequested when e.Approval is { } approval:
                json.WriteString("approvalId"u8, approval.ApprovalId);
                json.WriteString("callId"u8, approval.CallId);
                json.WriteString("name"u8, approval.ToolName);
                WriteArguments(json, approval.ArgumentsJson);
                break;
            case ConversationEventTypes.MessageCompleted when e.Message is { } message:
                json.WritePropertyName("message"u8);
                JsonSerializer.Serialize(json, MessageView.From(message), StreamingJsonContext.Default.MessageView);
                break;
            case ConversationEventTypes.TurnCompleted:
                WriteOptionalString(json, "messageId"u8, e.MessageId);
                if (e.Usage is { } usage)
                {
                    json.WritePropertyName("usage"u8);
                    JsonSerializer.Serialize(json, usage, StreamingJsonContext.Default.TokenUsage);
                }

                break;
            case ConversationEventTypes.TurnFailed when e.Error is { } error:
                WriteError(json, error);
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteCall(Utf8JsonWriter json, ToolCallRecord call)
    {
        json.WriteString("callId"u8, call.Id);
        json.WriteString("name"u8, call.Name);
        WriteArguments(json, call.ArgumentsJson);
    }

    /// <summary>The arguments as the JSON object the model sent (a string only when they are not JSON), like the REST views.</summary>
    private static void WriteArguments(Utf8JsonWriter json, string argumentsJson)
    {
        json.WritePropertyName("arguments"u8);
        ToolCallView.ParseArguments(argumentsJson).WriteTo(json);
    }

    private static void WriteError(Utf8JsonWriter json, TurnError error)
    {
        json.WriteStartObject("error"u8);
        json.WriteString("code"u8, error.Code);
        json.WriteString("message"u8, error.Message);
        WriteOptionalString(json, "limit"u8, error.Limit);
        if (error.Reached is { } reached)
        {
            json.WriteNumber("reached"u8, reached);
        }

        json.WriteEndObject();
    }

    private static void WriteOptionalString(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
