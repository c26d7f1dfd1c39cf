using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OpenCode.Testing;

/// <summary>The fields of a chat-completions request the fake model acts on, read with one JsonDocument pass.</summary>
internal sealed class ChatRequest
{
    private ChatRequest(string model, bool stream, bool includeUsage, List<RecordedMessage> messages, List<string> toolNames)
    {
        Model = model;
        Stream = stream;
        IncludeUsage = includeUsage;
        Messages = messages;
        ToolNames = toolNames;
    }

    public string Model { get; }
    public bool Stream { get; }
    public bool IncludeUsage { get; }
    public List<RecordedMessage> Messages { get; }
    public List<string> ToolNames { get; }

    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static ChatRequest Parse(ReadOnlySequence<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The request body must be a JSON object.");
        }

        var model = root.TryGetProperty("model"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        var stream = root.TryGetProperty("stream"u8, out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options"u8, out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage"u8, out var iu) && iu.ValueKind == JsonValueKind.True;

        var messages = new List<RecordedMessage>();
        if (root.TryGetProperty("messages"u8, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in list.EnumerateArray())
            {
                messages.Add(new RecordedMessage(
                    StringOrEmpty(message, "role"u8),
                    ContentText(message),
                    message.TryGetProperty("tool_call_id"u8, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null));
            }
        }

        var toolNames = new List<string>();
        if (root.TryGetProperty("tools"u8, out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("function"u8, out var function) && function.ValueKind == JsonValueKind.Object)
                {
                    toolNames.Add(StringOrEmpty(function, "name"u8));
                }
            }
        }

        return new ChatRequest(model, stream, includeUsage, messages, toolNames);
    }

    /// <summary>A deterministic stand-in for a tokenizer: the number of words in all message contents, at least 1.</summary>
    public int PromptTokens()
    {
        var words = 0;
        foreach (var message in Messages)
        {
            words += TokenCount.Words(message.Content);
        }

        return Math.Max(1, words);
    }

    private static string StringOrEmpty(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    // Content is a string, null (assistant tool calls), or an array of parts of which only text matters here.
    private static string? ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content"u8, out var content))
        {
            return null;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString();
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        text.Append(t.GetString());
                    }
                }

                return text.ToString();
            default:
                return null;
        }
    }
}
