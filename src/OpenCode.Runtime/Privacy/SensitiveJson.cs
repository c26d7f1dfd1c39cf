using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// Tool arguments with their secrets, and with <c>pii</c> their personal data, masked at any depth: string values,
/// the names of objects' fields (a map may be keyed by e-mail address; a call's own argument names, its tool's
/// parameters, stay), numbers that read as sensitive (a card number), and the whole value of a field named like a
/// credential (<see cref="SecretMasker.IsCredentialName"/>). The structure stays; a masked number becomes a string.
/// </summary>
public static class SensitiveJson
{
    /// <summary><paramref name="json"/> itself when nothing needs masking; text that is not JSON is masked as text.</summary>
    public static string Mask(string json, bool pii)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return SensitiveText.Mask(json, pii);
        }

        using (document)
        {
            var buffer = new ArrayBufferWriter<byte>();
            return Write(buffer, document.RootElement, name: null, pii) ? Encoding.UTF8.GetString(buffer.WrittenSpan) : json;
        }
    }

    /// <summary>
    /// The masked value of the argument <paramref name="name"/>: a string for a string or number, a
    /// <see cref="JsonElement"/> for an object or array; null when nothing in it needs masking or it is of another type.
    /// </summary>
    public static object? Mask(string name, object? value, bool pii)
    {
        switch (value)
        {
            case string text:
                var masked = Value(name, text, pii);
                return ReferenceEquals(masked, text) ? null : masked;
            case JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } scalar:
                return Scalar(scalar, name, pii);
            case JsonElement { ValueKind: JsonValueKind.Object or JsonValueKind.Array } container:
                var buffer = new ArrayBufferWriter<byte>();
                return Write(buffer, container, name, pii) ? JsonElement.Parse(buffer.WrittenSpan) : null;
            default:
                return null;
        }
    }

    private static bool Write(ArrayBufferWriter<byte> buffer, JsonElement element, string? name, bool pii)
    {
        using var writer = new Utf8JsonWriter(buffer);
        return Write(writer, element, name, pii);
    }

    /// <summary>Writes the masked copy of <paramref name="element"/>; whether anything was masked.</summary>
    private static bool Write(Utf8JsonWriter writer, JsonElement element, string? name, bool pii)
    {
        var changed = false;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    // Name allocates on every read: read once, so that the masker's same instance means unmasked.
                    var propertyName = property.Name;
                    var maskedName = SensitiveText.Mask(propertyName, pii);
                    changed |= !ReferenceEquals(maskedName, propertyName);
                    writer.WritePropertyName(maskedName);
                    changed |= Write(writer, property.Value, propertyName, pii);
                }

                writer.WriteEndObject();
                return changed;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    // A list under a credential's name is a list of credentials.
                    changed |= Write(writer, item, name, pii);
                }

                writer.WriteEndArray();
                return changed;
            case JsonValueKind.String or JsonValueKind.Number when Scalar(element, name, pii) is { } masked:
                writer.WriteStringValue(masked);
                return true;
            default:
                element.WriteTo(writer);
                return false;
        }
    }

    /// <summary>The masked text of a string or number; null when it needs no masking.</summary>
    private static string? Scalar(JsonElement element, string? name, bool pii)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        var masked = element.ValueKind == JsonValueKind.String ? Value(name, text, pii) : SensitiveText.Mask(text, pii);
        return ReferenceEquals(masked, text) ? null : masked;
    }

    private static string Value(string? name, string text, bool pii) =>
        name is not null && text.Length > 0 && SecretMasker.IsCredentialName(name) ? MaskTokens.Secret : SensitiveText.Mask(text, pii);
}
