using System.Buffers;
using System.Text.RegularExpressions;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// One kind of sensitive text: a regex that finds candidates, an optional check that a candidate really is one
/// (a checksum, a digit count), and the token that replaces it. When the regex has a group named <c>secret</c>,
/// only that group is replaced, so a label such as <c>Authorization:</c> stays readable.
/// </summary>
/// <param name="notAfter">Characters sensitive text must not follow (it is the tail of a longer token then).</param>
/// <param name="notBefore">Characters sensitive text must not be followed by (it is the head of a longer token then).</param>
/// <remarks>
/// Neighbours are tested here rather than with lookarounds: a candidate inside a longer token is dropped as a
/// whole, where a lookbehind would have the regex try again from inside the token.
/// </remarks>
internal sealed class MaskPattern(
    Regex regex, string token, MaskPattern.SensitiveLength? check = null, SearchValues<char>? notAfter = null, SearchValues<char>? notBefore = null)
{
    /// <summary>How many characters from the start of <paramref name="candidate"/> are sensitive; 0 when none.</summary>
    public delegate int SensitiveLength(ReadOnlySpan<char> candidate);

    /// <summary><paramref name="text"/> itself when nothing in it matches; a masked copy otherwise.</summary>
    public string Apply(string text)
    {
        // Value matches allocate nothing: Match objects are made only once there is something to mask.
        foreach (var match in regex.EnumerateMatches(text))
        {
            if (Length(text, match.Index, match.Length) > 0)
            {
                return Replace(text);
            }
        }

        return text;
    }

    // Apart from Apply: the closure over the text would be allocated on entry to Apply, on every call.
    private string Replace(string text) => regex.Replace(text, match => Replacement(text, match));

    private int Length(string text, int index, int length)
    {
        if (notAfter is not null && index > 0 && notAfter.Contains(text[index - 1]))
        {
            return 0;
        }

        var sensitive = check is null ? length : check(text.AsSpan(index, length));
        var end = index + sensitive;
        return sensitive > 0 && notBefore is not null && end < text.Length && notBefore.Contains(text[end]) ? 0 : sensitive;
    }

    private string Replacement(string text, Match match)
    {
        if (match.Groups["secret"] is { Success: true } secret)
        {
            var start = secret.Index - match.Index;
            return string.Concat(match.ValueSpan[..start], token, match.ValueSpan[(start + secret.Length)..]);
        }

        var length = Length(text, match.Index, match.Length);
        return length == 0 ? match.Value : string.Concat(token, match.ValueSpan[length..]);
    }
}
