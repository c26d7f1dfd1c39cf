using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCode.Abstractions;
using OpenCode.Runtime;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// One <c>{"type": "request", "id", "method", "params"}</c> frame. Parameter accessors fail with a validation error
/// naming the parameter, which the socket answers as invalid params (-32602).
/// </summary>
public sealed class WebSocketRequest
{
    private readonly JsonElement _params;

    private WebSocketRequest(JsonElement id, string method, JsonElement parameters)
    {
        Id = id;
        Method = method;
        _params = parameters;
    }

    /// <summary>The client's id, a string or a number, echoed in the response.</summary>
    public JsonElement Id { get; }

    public string Method { get; }

    /// <summary>Reads a frame; a broken one throws <see cref="JsonRpcException"/> with the id when it could be read.</summary>
    public static WebSocketRequest Parse(ReadOnlyMemory<byte> frame, out JsonElement? id)
    {
        id = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException ex)
        {
            throw new JsonRpcException(JsonRpcErrorCodes.ParseError, $"The frame is not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonRpcException(JsonRpcErrorCodes.InvalidRequest, "A request is a JSON object.");
            }

            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                id = idElement.Clone();
            }

            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || !type.ValueEquals("request"u8))
            {
                throw new JsonRpcException(JsonRpcErrorCodes.InvalidRequest, "\"type\" must be \"request\".");
            }

            if (id is null)
            {
                throw new JsonRpcException(JsonRpcErrorCodes.InvalidRequest, "\"id\" must be a string or a number.");
            }

            if (!root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() is not { Length: > 0 } name)
            {
                throw new JsonRpcException(JsonRpcErrorCodes.InvalidRequest, "\"method\" must be a non-empty string.");
            }

            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            return new WebSocketRequest(id.Value, name, parameters);
        }
    }

    /// <summary>The params object (an empty one when absent); anything but an object is invalid.</summary>
    public JsonNode? ParamsNode() => _params.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => new JsonObject(),
        JsonValueKind.Object => JsonNode.Parse(_params.GetRawText()),
        _ => throw Invalid("params", "must be an object"),
    };

    /// <summary>The params as <typeparamref name="T"/> with the API's JSON rules (unknown fields are refused).</summary>
    public T Params<T>()
    {
        try
        {
            return ParamsNode().Deserialize<T>(OpenCodeJson.Options) ?? throw Invalid("params", "must be an object");
        }
        catch (JsonException ex)
        {
            throw Invalid(ex.Path is { Length: > 2 } path ? path[2..] : "params", ex.Message);
        }
    }

    public string RequiredString(string name) =>
        OptionalString(name) is { Length: > 0 } value ? value : throw Invalid(name, "is required and must be a non-empty string");

    public string? OptionalString(string name) => Property(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw Invalid(name, "must be a string"),
    };

    /// <summary>A whole number of at least 0 (an event seq), or null when absent.</summary>
    public long? OptionalSeq(string name) => Property(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var seq) && seq >= 0 => seq,
        _ => throw Invalid(name, "must be an event seq: a whole number, 0 or more"),
    };

    private JsonElement? Property(string name)
    {
        if (_params.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (_params.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("params", "must be an object");
        }

        return _params.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    private static ValidationFailedException Invalid(string field, string message) => new([new FieldError(field, message)]);
}
