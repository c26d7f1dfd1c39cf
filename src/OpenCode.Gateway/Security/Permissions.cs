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

    public static readonly Permission ApiKeysManage = new("api-keys", "manage");
    public static readonly Permission AuditRead = new("audit", "read");

    /// <summary>The operator's MCP servers and their sessions.</summary>
    public static readonly Permission McpRead = new("mcp", "read");

    public static readonly IReadOnlyList<Permission> All = [AgentsRead, AgentsWrite, AgentsUse, ConversationsUse, ApiKeysManage, AuditRead, McpRead];
}
