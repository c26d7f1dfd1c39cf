using OpenCode.Abstractions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// A tool policy: glob → <c>allow</c> | <c>ask</c> | <c>deny</c> (see <see cref="ToolPermission"/>). The agent's
/// entries can be overridden by the conversation's: any conversation entry that matches beats every agent entry.
/// Within one level the most specific pattern wins (an exact name beats any glob; among globs, the one with more
/// literal characters); no match means allow.
/// A tool that runs commands (<see cref="WorkspaceServer.RunCommandTool"/>) asks instead: only a rule naming it
/// exactly can allow it, and a glob can only make it stricter.
/// </summary>
public sealed class ToolPermissions
{
    public const string Allow = "allow";
    public const string Ask = "ask";
    public const string Deny = "deny";

    public static readonly ToolPermissions AllowAll = new([]);

    private static readonly ToolRule AskFirst = new(Ask, []);
    private static readonly ToolRule Denied = new(Deny, []);

    private readonly Entry[] _entries;

    private ToolPermissions(Entry[] entries) => _entries = entries;

    public static bool IsMode(string? value) => value is Allow or Ask or Deny;

    public static ToolPermissions From(
        IReadOnlyDictionary<string, ToolPermission>? agent,
        IReadOnlyDictionary<string, ToolPermission>? conversation = null)
    {
        if (agent is null or { Count: 0 } && conversation is null or { Count: 0 })
        {
            return AllowAll;
        }

        IEnumerable<Entry> Level(IReadOnlyDictionary<string, ToolPermission>? permissions, int level) =>
            (permissions ?? new Dictionary<string, ToolPermission>()).Select(p => Entry.Create(p.Key, p.Value, level));

        return new([.. Level(conversation, 1).Concat(Level(agent, 0)).OrderByDescending(e => e.Level).ThenByDescending(e => e.Glob.Specificity)]);
    }

    /// <summary>The rule of the entry that decides for <paramref name="toolName"/>.</summary>
    public ToolRule RuleFor(string toolName)
    {
        var entry = _entries.FirstOrDefault(e => e.Glob.Matches(toolName));
        if (toolName != WorkspaceServer.RunCommandTool)
        {
            return entry?.Rule ?? ToolRule.Allowed;
        }

        return entry switch
        {
            null => AskFirst,
            { Glob.IsExact: true } => entry.Rule,
            { Rule.Permission: Deny } => Denied,
            _ => AskFirst,
        };
    }

    /// <summary>The tool's permission before any argument pattern is applied.</summary>
    public string Resolve(string toolName) => RuleFor(toolName).Permission;

    private sealed record Entry(Glob Glob, ToolRule Rule, int Level)
    {
        public static Entry Create(string pattern, ToolPermission permission, int level)
        {
            var arguments = (permission.Arguments ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
                .Select(a => new ToolRule.ArgumentRule(
                    a.Key,
                    [.. a.Value.Select(p => (Glob: Glob.ForValues(p.Key), Permission: p.Value)).OrderByDescending(p => p.Glob.Specificity)]))
                .ToList();
            return new Entry(Glob.ForNames(pattern), new ToolRule(permission.Permission, arguments), level);
        }
    }
}
