using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OpenCode.Runtime;

/// <summary>
/// The API's JSON rules: camelCase out, nulls left out (unless a property says otherwise); camelCase or snake_case in (the requirements' agent format
/// writes <c>max_tokens</c>); unknown fields refused so a misspelt setting is an error, not silently ignored.
/// </summary>
public static class OpenCodeJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AcceptSnakeCase } };
        options.Converters.Add(new ToolPermissionJsonConverter());
        return options;
    }

    /// <summary>Adds a write-only snake_case twin of every settable property whose name differs in snake_case.</summary>
    private static void AcceptSnakeCase(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var names = type.Properties.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var property in type.Properties.ToList())
        {
            var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            if (property.Set is null || !names.Add(snake))
            {
                continue;
            }

            var alias = type.CreateJsonPropertyInfo(property.PropertyType, snake);
            alias.Set = property.Set;
            type.Properties.Add(alias);
        }
    }
}
