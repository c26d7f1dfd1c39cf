namespace OpenCode.Gateway.Streaming;

/// <summary>The <c>Streaming:WebSocket</c> section: what one <c>/ws</c> connection may take.</summary>
public sealed class WebSocketStreamingOptions
{
    /// <summary>The largest incoming message; a bigger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>How often an idle socket is pinged.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames waiting to be sent on one socket; the producers (event reads, responses) wait while it is full.</summary>
    public int SendQueueLimit { get; set; } = 1024;

    /// <summary>How long the send queue may stay full before the client is judged too slow and disconnected (1008).</summary>
    public TimeSpan SendQueueFullTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests of one socket handled at the same time; the socket is not read while that many run.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;
}
