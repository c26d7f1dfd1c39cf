namespace OpenCode.Gateway.Streaming;

/// <summary>The <c>Streaming</c> configuration section: SSE and WebSocket timings and limits.</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";

    /// <summary>
    /// Seconds without an event after which a stream gets a heartbeat (<c>: ping</c>); also how long one read of the
    /// event log waits, so an idle stream costs one grain call per heartbeat.
    /// </summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>The <c>retry:</c> hint: how long an SSE client waits before it reconnects.</summary>
    public int RetryMilliseconds { get; set; } = 2000;

    public WebSocketStreamingOptions WebSocket { get; set; } = new();

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(Math.Max(1, HeartbeatSeconds));
}
