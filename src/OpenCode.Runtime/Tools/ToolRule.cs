using System.Text.Json;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// What the permissions say about one tool: its permission, refined per call by patterns on argument values.
/// For each argument the most specific matching pattern decides; across arguments the strictest decision wins
/// (deny over ask over allow); a call no argument pattern matches gets the tool's permission.
/// </summary>
public sealed class ToolRule
{
    public static readonly ToolRule Allowed = new(ToolPermissions.Allow, []);

    private readonly IReadOnlyList<ArgumentRule> _arguments;

    public ToolRule(string permission, IReadOnlyList<ArgumentRule> arguments)
    {
        Permission = permission;
        _arguments = arguments;
    }

    public string Permission { get; }

    /// <summary>Whether some call may run: the tool is not denied outright, or an argument pattern lets some calls through.</summary>
    public bool MayRun => Permission != ToolPermissions.Deny || _arguments.Any(a => a.Patterns.Any(p => p.Permission != ToolPermissions.Deny));

    /// <summary>The permission of one call, given its arguments (a JSON object).</summary>
    public string ForCall(string argumentsJson)
    {
        if (_arguments.Count == 0)
        {
            return Permission;
        }

        Dictionary<string, JsonElement>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson);
        }
        catch (JsonException)
        {
            // Arguments that are not an object cannot be judged by their values, and no server accepts them either.
            arguments = null;
        }

        string? decided = null;
        foreach (var rule in _arguments)
        {
            if (arguments is not null && arguments.TryGetValue(rule.Argument, out var value) && rule.Match(Text(value)) is { } permission)
            {
                decided = decided is null ? permission : Stricter(decided, permission);
            }
        }

        return decided ?? Permission;
    }

    /// <summary>A string as itself with <c>\</c> read as <c>/</c> (Windows paths); any other value as its JSON text.</summary>
    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()!.Replace('\\', '/') : value.GetRawText();

    private static string Stricter(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(string permission) => permission switch
    {
        ToolPermissions.Deny => 2,
        ToolPermissions.Ask => 1,
        _ => 0,
    };

    /// <summary>The patterns on one argument's value, most specific first.</summary>
    public sealed record ArgumentRule(string Argument, IReadOnlyList<(Glob Glob, string Permission)> Patterns)
    {
        public string? Match(string value) => Patterns.FirstOrDefault(p => p.Glob.Matches(value)).Permission;
    }
}
