namespace OpenCode.Abstractions;

/// <summary>
/// The permission for the tools a pattern of <see cref="AgentConfig.Permissions"/> matches: <c>allow</c>, <c>ask</c>
/// or <c>deny</c>, optionally refined per call by patterns on argument values. In JSON either the bare permission
/// (<c>"ask"</c>) or <c>{ "permission": "allow", "arguments": { "path": { "**/.env": "deny" } } }</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ToolPermission")]
public sealed record ToolPermission
{
    [Id(0)] public string Permission { get; init; } = "";

    /// <summary>Argument name → glob on the argument's value → <c>allow</c> | <c>ask</c> | <c>deny</c>.</summary>
    [Id(1)] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Arguments { get; init; }

    public static implicit operator ToolPermission(string permission) => new() { Permission = permission };
}
