using System.Text.Json;
using System.Text.Json.Serialization;
using OpenCode.Abstractions;

namespace OpenCode.Runtime;

/// <summary>
/// A <see cref="ToolPermission"/> is written as the bare permission (<c>"ask"</c>) when it has no argument patterns, so
/// the original string form stays valid and unchanged, and as <c>{ "permission", "arguments" }</c> otherwise. Only the
/// shape is checked here; the values are checked by the agent validator, which names each bad field.
/// </summary>
public sealed class ToolPermissionJsonConverter : JsonConverter<ToolPermission>
{
    private const string Expected = "expected \"allow\", \"ask\", \"deny\" or an object { \"permission\": ..., \"arguments\": { \"<argument>\": { \"<glob>\": \"allow|ask|deny\" } } }";

    public override ToolPermission Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ToolPermission { Permission = reader.GetString()! };
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException(Expected);
        }

        string? permission = null;
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? arguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "permission":
                    permission = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("'permission' must be \"allow\", \"ask\" or \"deny\"");
                    break;
                case "arguments":
                    arguments = ReadArguments(ref reader);
                    break;
                default:
                    throw new JsonException($"unknown field '{name}'; {Expected}");
            }
        }

        return new ToolPermission { Permission = permission ?? "", Arguments = arguments };
    }

    public override void Write(Utf8JsonWriter writer, ToolPermission value, JsonSerializerOptions options)
    {
        if (value.Arguments is null)
        {
            writer.WriteStringValue(value.Permission);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("permission", value.Permission);
        writer.WriteStartObject("arguments");
        foreach (var (argument, patterns) in value.Arguments)
        {
            writer.WriteStartObject(argument);
            foreach (var (glob, permission) in patterns)
            {
                writer.WriteString(glob, permission);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> ReadArguments(ref Utf8JsonReader reader)
    {
        const string shape = "'arguments' must map argument names to objects of glob → \"allow\" | \"ask\" | \"deny\"";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException(shape);
        }

        var arguments = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var argument = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException(shape);
            }

            var patterns = new Dictionary<string, string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var glob = reader.GetString()!;
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException($"the permission of argument '{argument}' pattern '{glob}' must be \"allow\", \"ask\" or \"deny\"");
                }

                patterns[glob] = reader.GetString()!;
            }

            arguments[argument] = patterns;
        }

        return arguments;
    }
}
