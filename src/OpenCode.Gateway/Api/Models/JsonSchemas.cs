using System.Text.Json;

namespace OpenCode.Gateway.Api.Models;

public static class JsonSchemas
{
    /// <summary>A server's schema as JSON; a server that sent something unparsable gets an empty object schema.</summary>
    public static JsonElement Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(new { type = "object" });
        }
    }
}
