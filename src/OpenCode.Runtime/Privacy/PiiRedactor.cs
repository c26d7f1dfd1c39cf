using Microsoft.Extensions.Compliance.Redaction;

namespace OpenCode.Runtime.Privacy;

/// <summary>The log redactor of <see cref="OpenCodeData.Pii"/>: the value with its personal data and secrets masked.</summary>
public sealed class PiiRedactor : Redactor
{
    public override string Redact(string? source) => source is null ? "" : SensitiveText.Mask(source);

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Masked(input).Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        var masked = Masked(source);
        masked.CopyTo(destination);
        return masked.Length;
    }

    // Masking works on strings; the span overloads serve values formatted without one, which are rare in logs.
    private static string Masked(ReadOnlySpan<char> input) => input.IsEmpty ? "" : SensitiveText.Mask(input.ToString());
}
