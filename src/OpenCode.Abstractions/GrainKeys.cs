namespace OpenCode.Abstractions;

/// <summary>How grain keys are formed, in one place: every resource lives under its tenant.</summary>
public static class GrainKeys
{
    /// <summary>The tenant of a server without authentication: one local user.</summary>
    public const string LocalTenant = "local";

    public static string Agent(string tenant, string agentId) => $"{tenant}/{agentId}";

    public static string Conversation(string tenant, string conversationId) => $"{tenant}/{conversationId}";

    public static string HistoryPage(string conversationKey, long pageNumber) => $"{conversationKey}/{pageNumber}";

    public static string ConversationDirectory(string tenant, string user) => $"{tenant}/{user}";

    public static string ConversationDirectoryPage(string directoryKey, long pageNumber) => $"{directoryKey}/{pageNumber}";

    /// <summary>The first segment of a key.</summary>
    public static string TenantOf(string key) => key[..key.IndexOf('/')];

    /// <summary>The last segment of a key: the id the API shows.</summary>
    public static string IdOf(string key) => key[(key.LastIndexOf('/') + 1)..];
}
