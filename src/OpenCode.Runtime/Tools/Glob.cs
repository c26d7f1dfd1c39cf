using System.Text;
using System.Text.RegularExpressions;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// A compiled glob and how specific it is (its literal characters). Tool names have no separators, so in a name
/// glob <c>*</c> matches anything; argument values are often paths, so in a value glob <c>*</c> and <c>?</c> stay
/// within one path segment, <c>**</c> crosses segments and <c>**/</c> also matches no directory at all.
/// </summary>
public sealed class Glob
{
    private readonly Regex? _regex;
    private readonly string _literal;

    private Glob(string pattern, Regex? regex, int specificity)
    {
        _literal = pattern;
        _regex = regex;
        Specificity = specificity;
    }

    /// <summary>Literal characters; a pattern without wildcards ranks above every glob.</summary>
    public int Specificity { get; }

    /// <summary>A pattern without wildcards: it matches one name exactly.</summary>
    public bool IsExact => _regex is null;

    public static bool HasWildcards(string pattern) => pattern.Contains('*') || pattern.Contains('?');

    public static Glob ForNames(string pattern) => Create(pattern, segmented: false);

    public static Glob ForValues(string pattern) => Create(pattern, segmented: true);

    public bool Matches(string value) => _regex?.IsMatch(value) ?? string.Equals(_literal, value, StringComparison.Ordinal);

    private static Glob Create(string pattern, bool segmented)
    {
        if (!HasWildcards(pattern))
        {
            return new Glob(pattern, null, int.MaxValue);
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && segmented && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append(segmented ? "[^/]*" : ".*");
            }
            else if (c == '?')
            {
                regex.Append(segmented ? "[^/]" : ".");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append('$');
        // Values come from the model: a linear-time engine, so no pattern and value can make matching slow.
        var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking;
        return new Glob(pattern, new Regex(regex.ToString(), options), pattern.Count(c => c is not '*' and not '?'));
    }
}
