namespace OpenCode.Gateway.Tests.Privacy;

/// <summary>A user message carrying personal data and a provider key, and what a model sees of it when masked.</summary>
internal static class PrivacyText
{
    public const string Email = "jane.doe@example.com";
    public const string Card = "4111 1111 1111 1111";
    public const string Key = "sk-test-abcdefghijklmnop0123456789";

    public const string Message = $"Mail {Email} the receipt for card {Card}; use key {Key}.";
    public const string Masked = "Mail [email] the receipt for card [card]; use key [secret].";
}
