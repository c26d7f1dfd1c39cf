namespace OpenCode.Runtime.Privacy;

/// <summary>Free text with its secrets and personal data masked: what leaves for a model, and what a log shows of a <see cref="PiiAttribute"/> value.</summary>
public static class SensitiveText
{
    /// <summary><paramref name="text"/> itself when there is nothing to mask. Secrets go first, so a token's digits are not read as a card or phone number.</summary>
    public static string Mask(string text) => PiiMasker.Mask(SecretMasker.Mask(text));

    /// <summary><paramref name="text"/> with its secrets masked, and its personal data when <paramref name="pii"/>.</summary>
    public static string Mask(string text, bool pii) => pii ? Mask(text) : SecretMasker.Mask(text);

    /// <summary>The masked text, or null when <paramref name="text"/> has nothing to mask (callers copy only then).</summary>
    public static string? MaskedOrNull(string text, bool pii = true) => Mask(text, pii) is var masked && !ReferenceEquals(masked, text) ? masked : null;
}
