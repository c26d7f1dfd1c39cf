namespace OpenCode.Testing;

/// <summary>Usage numbers of the fake model: whitespace-separated words, so tests can predict them.</summary>
internal static class TokenCount
{
    public static int Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                count++;
            }

            inWord = !isSpace;
        }

        return count;
    }

    public static int Completion(FakeReply reply)
    {
        var words = Words(reply.Content) + reply.StampedTokens;
        foreach (var call in reply.Calls)
        {
            words += 1 + Words(call.ArgumentsJson);
        }

        return Math.Max(1, words);
    }
}
