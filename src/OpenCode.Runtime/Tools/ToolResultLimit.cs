using System.Globalization;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// <c>limits.maxToolResultChars</c>: a longer tool result keeps its beginning and its end (where errors and
/// summaries usually are) around a note saying how much was left out, so the model knows it did not see it all.
/// The result is cut before it is recorded: the conversation's head, rewritten at every checkpoint, and every
/// later model request stay bounded whatever a tool returns.
/// </summary>
public static class ToolResultLimit
{
    /// <summary>Room for the note and some of the result on each side of it.</summary>
    public const int MinChars = 1_000;

    /// <summary><paramref name="result"/> as it is when it fits in <paramref name="maxChars"/>, else cut in the middle to fit.</summary>
    public static string? Apply(string? result, int maxChars)
    {
        if (result is null || result.Length <= maxChars)
        {
            return result;
        }

        // The note's length depends on the count it reports: sized for the longest count it can report.
        var kept = Math.Max(0, maxChars - Note(result.Length, maxChars).Length);
        var head = kept * 3 / 4;
        var tail = kept - head;
        // A UTF-16 pair is kept whole or not at all.
        if (head > 0 && char.IsHighSurrogate(result[head - 1]))
        {
            head--;
        }

        if (tail > 0 && char.IsLowSurrogate(result[^tail]))
        {
            tail--;
        }

        return string.Concat(result.AsSpan(0, head), Note(result.Length - head - tail, maxChars), result.AsSpan(result.Length - tail));
    }

    private static string Note(int omitted, int maxChars) => string.Create(
        CultureInfo.InvariantCulture,
        $"\n\n[… {omitted:N0} characters of this tool result were left out: the agent keeps {maxChars:N0} (limits.maxToolResultChars) …]\n\n");
}
