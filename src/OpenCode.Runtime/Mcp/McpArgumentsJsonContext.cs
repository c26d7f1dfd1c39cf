using System.Text.Json.Serialization;

namespace OpenCode.Runtime.Mcp;

/// <summary>Reads a tool call's arguments (a JSON object) into the dictionary the MCP SDK takes.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class McpArgumentsJsonContext : JsonSerializerContext;
