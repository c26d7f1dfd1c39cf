namespace OpenCode.Runtime.Audit;

/// <summary>What an <see cref="AuditEntry"/> records; its resource type and id follow from the action.</summary>
public static class AuditActions
{
    /// <summary>An agent was created (resource <c>agent</c>/agent id; detail: <c>version</c>).</summary>
    public const string AgentCreated = "agent.created";

    /// <summary>A new version of an agent was written (resource <c>agent</c>/agent id; detail: <c>version</c>).</summary>
    public const string AgentUpdated = "agent.updated";

    /// <summary>An agent was deleted (resource <c>agent</c>/agent id).</summary>
    public const string AgentDeleted = "agent.deleted";

    /// <summary>
    /// A tool's changed definition was accepted, so its configured permission applies again (resource <c>agent</c>/agent
    /// id; detail: <c>tool</c>, <c>server</c>, <c>previousHash</c>, <c>hash</c>).
    /// </summary>
    public const string AgentToolChangeAccepted = "agent.tool_change_accepted";

    /// <summary>An API key was issued (resource <c>apikey</c>/key id; never the key itself).</summary>
    public const string ApiKeyIssued = "apikey.issued";

    /// <summary>An API key was revoked (resource <c>apikey</c>/key id).</summary>
    public const string ApiKeyRevoked = "apikey.revoked";

    /// <summary>An API key's roles were replaced (resource <c>apikey</c>/key id; detail: <c>tenant</c>, <c>previousRoles</c>, <c>roles</c>).</summary>
    public const string ApiKeyRolesChanged = "apikey.roles_changed";

    /// <summary>A tool call waiting for approval was approved (resource <c>approval</c>/approval id; detail: <c>decision</c> once or always).</summary>
    public const string ToolApproved = "tool.approved";

    /// <summary>A tool call waiting for approval was rejected (resource <c>approval</c>/approval id; detail: <c>decision</c>).</summary>
    public const string ToolRejected = "tool.rejected";

    /// <summary>
    /// A tool call of a turn reached its final status, which is the outcome (resource <c>tool</c>/tool name; detail:
    /// <c>callId</c>, <c>turnId</c>, and with <c>Audit:IncludePayloads</c> the <c>arguments</c> and <c>result</c>).
    /// </summary>
    public const string ToolCalled = "tool.called";

    public static IReadOnlyList<string> All { get; } =
        [AgentCreated, AgentUpdated, AgentDeleted, AgentToolChangeAccepted, ApiKeyIssued, ApiKeyRevoked, ApiKeyRolesChanged, ToolApproved, ToolRejected, ToolCalled];
}
