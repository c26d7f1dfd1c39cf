namespace OpenCode.Gateway.Security;

/// <summary>The permissions the API checks.</summary>
public static class Permissions
{
    public static readonly Permission AgentsRead = new("agents", "read");

    /// <summary>Create, change and delete agents, and accept their tools' changed definitions.</summary>
    public static readonly Permission AgentsWrite = new("agents", "write");

    /// <summary>Start conversations with the agents the caller is granted (see <see cref="AgentAccessPolicy"/>).</summary>
    public static readonly Permission AgentsUse = new("agents", "use");

    /// <summary>Everything on the caller's own conversations: messages, events, cancel, approvals.</summary>
    public static readonly Permission ConversationsUse = new("conversations", "use");

    /// <summary>Issue, list and revoke the API keys of the caller's tenant.</summary>
    public static readonly Permission ApiKeysManage = new("api-keys", "manage");

    /// <summary>
    /// Issue a key acting as another user than the caller: it could then read and steer that user's conversations.
    /// </summary>
    public static readonly Permission UsersImpersonate = new("users", "impersonate");

    /// <summary>
    /// Act on another tenant's API keys. <c>*</c> does not cover it (see <see cref="Permission.Covers"/>): among the
    /// built-in roles only <c>operator</c> holds it.
    /// </summary>
    public static readonly Permission TenantsManage = new(Permission.CrossTenantResource, "manage");
    public static readonly Permission AuditRead = new("audit", "read");

    /// <summary>The operator's MCP servers and their sessions.</summary>
    public static readonly Permission McpRead = new("mcp", "read");

    /// <summary>Scrape <c>GET /metrics</c> (a monitoring key needs nothing else).</summary>
    public static readonly Permission MetricsRead = new("metrics", "read");
}
