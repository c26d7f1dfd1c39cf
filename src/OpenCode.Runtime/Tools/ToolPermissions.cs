using System.Text.RegularExpressions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// An agent's tool policy: glob → <c>allow</c> | <c>ask</c> | <c>deny</c>. The most specific pattern wins
/// (an exact name beats any glob; among globs, the one with more literal characters); no match means allow.
/// A tool that runs commands (<see cref="WorkspaceServer.RunCommandTool"/>) asks instead: only a rule naming it
/// exactly can allow it, and a glob can only make it stricter.
/// </summary>
public sealed class ToolPermissions
{
    public const string Allow = "allow";
    public const string Ask = "ask";
    public const string Deny = "deny";

    public static readonly ToolPermissions AllowAll = new([]);

    private readonly Rule[] _rules;

    private ToolPermissions(Rule[] rules) => _rules = rules;

    public static bool IsMode(string? value) => value is Allow or Ask or Deny;

    public static ToolPermissions From(IReadOnlyDictionary<string, string>? permissions) =>
        permissions is null or { Count: 0 }
            ? AllowAll
            : new([.. permissions.Select(p => Rule.Create(p.Key, p.Value)).OrderByDescending(r => r.Specificity)]);

    public string Resolve(string toolName)
    {
        var asksUnlessNamed = toolName == WorkspaceServer.RunCommandTool;
        foreach (var rule in _rules)
        {
            if (rule.Matches(toolName))
            {
                return asksUnlessNamed && rule.Glob is not null && rule.Mode == Allow ? Ask : rule.Mode;
            }
        }

        return asksUnlessNamed ? Ask : Allow;
    }

    private sealed record Rule(string Pattern, string Mode, Regex? Glob, int Specificity)
    {
        public static Rule Create(string pattern, string mode)
        {
            var isGlob = pattern.Contains('*') || pattern.Contains('?');
            var literals = pattern.Count(c => c is not '*' and not '?');
            var glob = isGlob
                ? new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant)
                : null;
            // Exact names rank above every glob; globs rank by how much of the name they pin down.
            return new Rule(pattern, mode, glob, isGlob ? literals : int.MaxValue);
        }

        public bool Matches(string toolName) => Glob?.IsMatch(toolName) ?? string.Equals(Pattern, toolName, StringComparison.Ordinal);
    }
}
