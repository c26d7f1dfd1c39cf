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
            return Write(buffer, document.RootElement, pii) ? Encoding.UTF8.GetString(buffer.WrittenSpan) : json;
        }
    }

    /// <summary>
    /// The masked value of the argument <paramref name="name"/>: a string for a string, a number or a credential,
    /// a <see cref="JsonElement"/> for an object or array; null when nothing in it needs masking or it is of another type.
    /// </summary>
    public static object? Mask(string name, object? value, bool pii)
    {
        var kind = value switch
        {
            null => JsonValueKind.Null,
            JsonElement element => element.ValueKind,
            bool flag => flag ? JsonValueKind.True : JsonValueKind.False,
            _ => JsonValueKind.Undefined,
        };
        if (IsCredential(name, kind))
        {
            return MaskTokens.Secret;
        }

        switch (value)
        {
            case string text:
                return SensitiveText.MaskedOrNull(text, pii);
            case JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } scalar:
                return Scalar(scalar, pii);
            case JsonElement { ValueKind: JsonValueKind.Object or JsonValueKind.Array } container:
                var buffer = new ArrayBufferWriter<byte>();
                return Write(buffer, container, pii) ? JsonElement.Parse(buffer.WrittenSpan) : null;
            default:
                return null;
        }
    }

    private static bool Write(ArrayBufferWriter<byte> buffer, JsonElement element, bool pii)
    {
        using var writer = new Utf8JsonWriter(buffer);
        return Write(writer, element, pii);
    }

    /// <summary>Writes the masked copy of <paramref name="element"/>; whether anything was masked.</summary>
    private static bool Write(Utf8JsonWriter writer, JsonElement element, bool pii)
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
                    var value = property.Value;
                    if (IsCredential(propertyName, value.ValueKind))
                    {
                        writer.WriteStringValue(MaskTokens.Secret);
                        changed = true;
                    }
                    else
                    {
                        changed |= Write(writer, value, pii);
                    }
                }

                writer.WriteEndObject();
                return changed;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    changed |= Write(writer, item, pii);
                }

                writer.WriteEndArray();
                return changed;
            case JsonValueKind.String or JsonValueKind.Number when Scalar(element, pii) is { } masked:
                writer.WriteStringValue(masked);
                return true;
            default:
                element.WriteTo(writer);
                return false;
        }
    }

    /// <summary>
    /// Whether a field's value is masked whole: its name is a credential's, and its value could hold one, whatever its
    /// shape (a PIN, parts in an object, a list of keys). Null and true/false stay: they hold no secret, and a model
    /// reading its own earlier call should still see a flag its tool expects.
    /// </summary>
    private static bool IsCredential(string name, JsonValueKind kind) =>
        kind is not (JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False) && SecretMasker.IsCredentialName(name);

    /// <summary>The masked text of a string or number; null when it needs no masking.</summary>
    private static string? Scalar(JsonElement element, bool pii)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        return SensitiveText.MaskedOrNull(text, pii);
    }
}
