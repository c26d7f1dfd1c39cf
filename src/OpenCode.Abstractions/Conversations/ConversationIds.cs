namespace OpenCode.Abstractions;

/// <summary>Conversation ids: <c>conv-</c> and 32 hexadecimal digits.</summary>
public static class ConversationIds
{
    private const string Prefix = "conv-";

    public static string New() => Prefix + Guid.NewGuid().ToString("N");

    public static bool IsWellFormed(string id) =>
        id.Length == Prefix.Length + 32
        && id.StartsWith(Prefix, StringComparison.Ordinal)
        && id.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
