using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// A tool an agent's servers offer, with the server that runs it, the permissions' rule for it and whether its
/// definition changed since the agent accepted it.
/// </summary>
public sealed record AgentTool(McpToolInfo Info, McpServerSpec Server, ToolRule Rule, bool Changed = false)
{
    /// <summary>The tool's permission before arguments are seen; a changed tool is asked for even where it was allowed.</summary>
    public string Permission => Guard(Rule.Permission);

    /// <summary>Offered to the model unless every call would be denied.</summary>
    public bool Offered => Rule.MayRun;

    /// <summary>The permission of one call with these arguments.</summary>
    public string PermissionFor(string argumentsJson) => Guard(Rule.ForCall(argumentsJson));

    private string Guard(string permission) => Changed && permission == ToolPermissions.Allow ? ToolPermissions.Ask : permission;
}
