using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;

namespace OpenCode.Gateway.Api.Models;

/// <summary>MCP servers and the answering silo's session to each (every silo has its own sessions).</summary>
public sealed record McpServerStatusList(string Silo, IReadOnlyList<McpServerStatusView> Servers);

/// <summary>
/// One MCP server's session on the answering silo. <c>state</c>: <c>not_connected</c>, <c>connecting</c>,
/// <c>connected</c>, <c>reconnecting</c> (with <c>attempt</c> and, while waiting, <c>nextRetryAt</c>) or <c>failed</c>;
/// <c>lastError</c> says why the last connect failed or the last session was lost.
/// </summary>
public sealed record McpServerStatusView(
    string Name,
    string? Transport,
    string State,
    int? Attempt,
    DateTimeOffset? NextRetryAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? ConnectedSince,
    int? Tools)
{
    public static McpServerStatusView From(McpServerStatus server)
    {
        var connection = server.Connection;
        return new McpServerStatusView(
            server.Name,
            server.Transport switch
            {
                McpTransport.Stdio => "stdio",
                McpTransport.StreamableHttp => "streamable-http",
                McpTransport.Sse => "sse",
                McpTransport.WebSocket => "websocket",
                _ => null,
            },
            connection.State switch
            {
                McpConnectionState.Connecting => "connecting",
                McpConnectionState.Connected => "connected",
                McpConnectionState.Reconnecting => "reconnecting",
                McpConnectionState.Failed => "failed",
                _ => "not_connected",
            },
            connection.Attempt,
            connection.NextRetryAt,
            connection.LastError,
            connection.LastErrorAt,
            connection.ConnectedSince,
            connection.ToolCount);
    }
}
