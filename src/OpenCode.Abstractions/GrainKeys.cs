namespace OpenCode.Abstractions;

/// <summary>How grain keys are formed, in one place: every resource lives under its tenant.</summary>
public static class GrainKeys
{
    /// <summary>The tenant of a server without authentication: one local user.</summary>
    public const string LocalTenant = "local";

    public static string Agent(string tenant, string agentId) => $"{Segment(tenant)}/{Segment(agentId)}";

    /// <summary>The owner is part of a conversation's identity: another user's key names a conversation that does not exist.</summary>
    public static string Conversation(string tenant, string owner, string conversationId) =>
        $"{Segment(tenant)}/{Segment(owner)}/{Segment(conversationId)}";

    public static string HistoryPage(string conversationKey, long pageNumber) => $"{conversationKey}/{pageNumber}";

    public static string EventPage(string conversationKey, long pageNumber) => $"{conversationKey}/events/{pageNumber}";

    public static string ConversationDirectory(string tenant, string user) => $"{Segment(tenant)}/{Segment(user)}";

    /// <summary>The turns one user runs now, across the tenant's conversations.</summary>
    public static string RunningTurns(string tenant, string user) => $"{Segment(tenant)}/{Segment(user)}";

    /// <summary>The tokens a tenant's models used on one UTC day.</summary>
    public static string TenantTokens(string tenant, DateOnly day) =>
        $"{Segment(tenant)}/{day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";

    public static string ConversationDirectoryPage(string directoryKey, long pageNumber) => $"{directoryKey}/{pageNumber}";

    /// <summary>The one directory of API keys: administration only, never on a request's path.</summary>
    public const string ApiKeyDirectory = "api-keys";

    /// <summary>The first segment of a key.</summary>
    public static string TenantOf(string key) => key[..key.IndexOf('/')];

    /// <summary>The owner of a conversation key.</summary>
    public static string OwnerOf(string conversationKey)
    {
        var start = conversationKey.IndexOf('/') + 1;
        return conversationKey[start..conversationKey.IndexOf('/', start)];
    }

    /// <summary>The last segment of a key: the id the API shows.</summary>
    public static string IdOf(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>Whether a tenant or user name can be part of a key (callers whose names cannot are refused at sign-in).</summary>
    public static bool IsValidSegment(string? value) => !string.IsNullOrEmpty(value) && !value.Contains('/') && value.Length <= 256;

    /// <summary>A part of a key must not contain the separator, or one tenant's key could name another's resource.</summary>
    private static string Segment(string value) =>
        !IsValidSegment(value)
            ? throw new ArgumentException($"'{value}' cannot be part of a grain key: it is empty or contains '/'.", nameof(value))
            : value;
}
