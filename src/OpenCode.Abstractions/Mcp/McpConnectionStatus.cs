namespace OpenCode.Abstractions;

/// <summary>The state of one silo's MCP session to one server (<see cref="IMcpConnectionGrain.GetStatusAsync"/>).</summary>
/// <param name="State">Where the session stands.</param>
/// <param name="Attempt">While <see cref="McpConnectionState.Reconnecting"/>: the number of the next (or running) reconnect attempt.</param>
/// <param name="NextRetryAt">While <see cref="McpConnectionState.Reconnecting"/> and waiting: when the next attempt starts.</param>
/// <param name="LastError">Why the last connect failed or the last session was lost (never holds a secret).</param>
/// <param name="LastErrorAt">When that was.</param>
/// <param name="ConnectedSince">While <see cref="McpConnectionState.Connected"/>: when the session was opened.</param>
/// <param name="ToolCount">While connected: how many tools the server offers, once they were listed on this session.</param>
[GenerateSerializer, Immutable, Alias("OpenCode.McpConnectionStatus")]
public sealed record McpConnectionStatus(
    [property: Id(0)] McpConnectionState State,
    [property: Id(1)] int? Attempt = null,
    [property: Id(2)] DateTimeOffset? NextRetryAt = null,
    [property: Id(3)] string? LastError = null,
    [property: Id(4)] DateTimeOffset? LastErrorAt = null,
    [property: Id(5)] DateTimeOffset? ConnectedSince = null,
    [property: Id(6)] int? ToolCount = null)
{
    public static McpConnectionStatus NotConnected { get; } = new(McpConnectionState.NotConnected);
}
