namespace OpenCode.Abstractions;

/// <summary>Message ids are <c>msg-{index}</c>: the position in the conversation, readable and O(1) to page by.</summary>
public static class MessageIds
{
    private const string Prefix = "msg-";

    public static string Format(long index) => Prefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string? id, out long index)
    {
        index = -1;
        return id is not null
            && id.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }
}
