using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api;

/// <summary>The <c>Idempotency-Key</c> of a message (HTTP header or WebSocket parameter).</summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>The key, or null when none was given; 1 to 255 printable ASCII characters, else a validation failure naming <paramref name="field"/>.</summary>
    public static string? Validate(string? key, string field)
    {
        if (key is null)
        {
            return null;
        }

        if (key.Length is 0 or > MaxLength || !key.All(c => c is >= ' ' and <= '~'))
        {
            throw new ValidationFailedException([new FieldError(field, $"must be 1 to {MaxLength} printable ASCII characters")]);
        }

        return key;
    }
}
