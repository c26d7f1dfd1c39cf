using System.Text.Json;

namespace OpenCode.Testing;

/// <summary>
/// The OpenAI chat-completions response shapes, written straight to a <see cref="Utf8JsonWriter"/>:
/// the fake model is a benchmark baseline, so no serializer or reflection runs per request.
/// </summary>
internal static class ChatCompletionJson
{
    public readonly record struct Envelope(string Id, long Created, string Model);

    public readonly record struct Usage(int PromptTokens, int CompletionTokens);

    public static void WriteCompletion(Utf8JsonWriter json, Envelope envelope, FakeReply reply, string[] callIds, Usage usage)
    {
        json.WriteStartObject();
        WriteEnvelope(json, envelope, "chat.completion");
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        if (reply.Content is null)
        {
            json.WriteNull("content"u8);
        }
        else
        {
            json.WriteString("content"u8, reply.Content);
        }

        json.WriteNull("refusal"u8);
        if (reply.Calls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            for (var i = 0; i < reply.Calls.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, callIds[i]);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, reply.Calls[i].Name);
                json.WriteString("arguments"u8, reply.Calls[i].ArgumentsJson);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, FinishReason(reply));
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    /// <summary>The first chunk: announces the assistant role, as OpenAI does.</summary>
    public static void WriteRoleChunk(Utf8JsonWriter json, Envelope envelope)
    {
        StartChunk(json, envelope);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("content"u8, ""u8);
        EndChunk(json, finishReason: null);
    }

    public static void WriteContentChunk(Utf8JsonWriter json, Envelope envelope, string text)
    {
        StartChunk(json, envelope);
        json.WriteString("content"u8, text);
        EndChunk(json, finishReason: null);
    }

    /// <summary>A tool call's first delta carries its id, type and name; arguments follow in later deltas.</summary>
    public static void WriteToolCallStartChunk(Utf8JsonWriter json, Envelope envelope, int index, string id, string name)
    {
        StartChunk(json, envelope);
        json.WriteStartArray("tool_calls"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, index);
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        json.WriteString("name"u8, name);
        json.WriteString("arguments"u8, ""u8);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        EndChunk(json, finishReason: null);
    }

    public static void WriteToolCallArgumentsChunk(Utf8JsonWriter json, Envelope envelope, int index, string argumentsPart)
    {
        StartChunk(json, envelope);
        json.WriteStartArray("tool_calls"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, index);
        json.WriteStartObject("function"u8);
        json.WriteString("arguments"u8, argumentsPart);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        EndChunk(json, finishReason: null);
    }

    public static void WriteFinishChunk(Utf8JsonWriter json, Envelope envelope, FakeReply reply)
    {
        StartChunk(json, envelope);
        EndChunk(json, FinishReason(reply));
    }

    /// <summary>Sent last when the request set stream_options.include_usage: no choices, only usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter json, Envelope envelope, Usage usage)
    {
        json.WriteStartObject();
        WriteEnvelope(json, envelope, "chat.completion.chunk");
        json.WriteStartArray("choices"u8);
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter json, int status, string message)
    {
        var (type, code) = ErrorKind(status);
        json.WriteStartObject();
        json.WriteStartObject("error"u8);
        json.WriteString("message"u8, message);
        json.WriteString("type"u8, type);
        json.WriteNull("param"u8);
        json.WriteString("code"u8, code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static void WriteModels(Utf8JsonWriter json, IEnumerable<string> models, long created)
    {
        json.WriteStartObject();
        json.WriteString("object"u8, "list"u8);
        json.WriteStartArray("data"u8);
        foreach (var model in models)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, model);
            json.WriteString("object"u8, "model"u8);
            json.WriteNumber("created"u8, created);
            json.WriteString("owned_by"u8, "opencode-testing"u8);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void StartChunk(Utf8JsonWriter json, Envelope envelope)
    {
        json.WriteStartObject();
        WriteEnvelope(json, envelope, "chat.completion.chunk");
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("delta"u8);
    }

    private static void EndChunk(Utf8JsonWriter json, string? finishReason)
    {
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            json.WriteNull("finish_reason"u8);
        }
        else
        {
            json.WriteString("finish_reason"u8, finishReason);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteEnvelope(Utf8JsonWriter json, Envelope envelope, string objectType)
    {
        json.WriteString("id"u8, envelope.Id);
        json.WriteString("object"u8, objectType);
        json.WriteNumber("created"u8, envelope.Created);
        json.WriteString("model"u8, envelope.Model);
        json.WriteString("system_fingerprint"u8, "fp_opencode_fake"u8);
    }

    private static void WriteUsage(Utf8JsonWriter json, Usage usage)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.PromptTokens + usage.CompletionTokens);
        json.WriteEndObject();
    }

    private static string FinishReason(FakeReply reply) => reply.Calls.Count > 0 ? "tool_calls" : "stop";

    private static (string Type, string Code) ErrorKind(int status) => status switch
    {
        400 => ("invalid_request_error", "invalid_request"),
        401 => ("authentication_error", "invalid_api_key"),
        403 => ("permission_error", "permission_denied"),
        404 => ("invalid_request_error", "model_not_found"),
        429 => ("rate_limit_error", "rate_limit_exceeded"),
        >= 500 => ("server_error", "server_error"),
        _ => ("invalid_request_error", "error"),
    };
}
