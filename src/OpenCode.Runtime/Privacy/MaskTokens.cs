namespace OpenCode.Runtime.Privacy;

/// <summary>What replaces each kind of sensitive text (documented in the README's Privacy section).</summary>
public static class MaskTokens
{
    public const string Email = "[email]";
    public const string Phone = "[phone]";
    public const string Card = "[card]";
    public const string Iban = "[iban]";
    public const string NationalId = "[national-id]";
    public const string Secret = "[secret]";
}
