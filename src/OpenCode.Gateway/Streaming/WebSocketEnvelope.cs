using System.Buffers;
using System.Text.Json;
using OpenCode.Abstractions;
using OpenCode.Runtime;

namespace OpenCode.Gateway.Streaming;

/// <summary>The frames the server sends on <c>/ws</c>: responses, error responses and events, as UTF-8 JSON.</summary>
public static class WebSocketEnvelope
{
    public static ReadOnlyMemory<byte> Response(JsonElement id, object? result)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("type"u8, "response"u8);
        json.WritePropertyName("id"u8);
        id.WriteTo(json);
        json.WritePropertyName("result"u8);
        JsonSerializer.Serialize(json, result, OpenCodeJson.Options);
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>
    /// An error response; <c>data.code</c> is the API's string code when there is one, <c>data.field</c> and
    /// <c>data.errors</c> name the offending parameters of a validation failure, <c>data.permission</c> the permission
    /// a forbidden request lacks (as the <c>permission</c> of an HTTP 403 problem).
    /// </summary>
    public static ReadOnlyMemory<byte> Error(
        JsonElement? id, int code, string message, string? apiCode = null, IReadOnlyList<FieldError>? errors = null, string? permission = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("type"u8, "response"u8);
        json.WritePropertyName("id"u8);
        if (id is { } known)
        {
            known.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteStartObject("error"u8);
        json.WriteNumber("code"u8, code);
        json.WriteString("message"u8, message);
        if (apiCode is not null)
        {
            json.WriteStartObject("data"u8);
            json.WriteString("code"u8, apiCode);
            if (permission is not null)
            {
                json.WriteString("permission"u8, permission);
            }

            if (errors is { Count: > 0 })
            {
                json.WriteString("field"u8, errors[0].Field);
                json.WriteStartObject("errors"u8);
                foreach (var field in errors.GroupBy(e => e.Field))
                {
                    json.WriteStartArray(field.Key);
                    foreach (var error in field)
                    {
                        json.WriteStringValue(error.Message);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>An event: <c>method</c> is its type, <c>params</c> the same data as its SSE frame.</summary>
    public static ReadOnlyMemory<byte> Event(string conversationId, ConversationEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("type"u8, "event"u8);
        json.WriteString("method"u8, e.Type);
        json.WritePropertyName("params"u8);
        ConversationEventJson.Write(json, conversationId, e);
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenMemory;
    }
}
