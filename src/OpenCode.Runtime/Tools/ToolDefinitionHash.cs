using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// The hash of what a server says a tool is: SHA-256 over its name, description and input schema. The schema is
/// hashed in a canonical form (object keys sorted, no whitespace), so a server that merely reorders keys or
/// reformats its JSON does not look like a changed tool.
/// </summary>
public static class ToolDefinitionHash
{
    // A server's catalog hands out the same tool objects until it changes, so each is hashed once, not every turn.
    private static readonly ConditionalWeakTable<McpToolInfo, ToolDefinition> Defined = [];

    public static ToolDefinition Define(McpToolInfo tool) =>
        Defined.GetValue(tool, static t => new(t.QualifiedName, t.Server, t.Description, t.InputSchemaJson, Compute(t)));

    public static string Compute(McpToolInfo tool)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(tool.QualifiedName);
            writer.WriteStringValue(tool.Description);
            WriteSchema(writer, tool.InputSchemaJson);
            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteSchema(Utf8JsonWriter writer, string schemaJson)
    {
        try
        {
            using var schema = JsonDocument.Parse(schemaJson);
            WriteCanonical(writer, schema.RootElement);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(schemaJson);
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
