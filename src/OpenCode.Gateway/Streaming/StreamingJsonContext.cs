using System.Text.Json;
using System.Text.Json.Serialization;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// Source-generated serializers for what events embed, with the REST API's output rules (camelCase, nulls left
/// out), so <c>message.completed</c> carries a message exactly as <c>GET /conversations/{id}/messages</c> shows it.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(TokenUsage))]
internal sealed partial class StreamingJsonContext : JsonSerializerContext;
