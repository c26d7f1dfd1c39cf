namespace OpenCode.Abstractions;

/// <summary>Where the MCP session of one silo to one server stands.</summary>
[GenerateSerializer, Alias("OpenCode.McpConnectionState")]
public enum McpConnectionState
{
    /// <summary>No session on this silo: nobody has used the server here yet, or the idle connection was closed.</summary>
    NotConnected,

    /// <summary>The first connect is in progress.</summary>
    Connecting,

    /// <summary>A live session.</summary>
    Connected,

    /// <summary>The session was lost or a connect failed; it is being rebuilt in the background, with backoff.</summary>
    Reconnecting,

    /// <summary>Background retries gave up (or are turned off); the next call tries to connect again.</summary>
    Failed,
}
