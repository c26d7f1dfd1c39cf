namespace OpenCode.Abstractions;

/// <summary>
/// The MCP session to one server on this silo, shared by every conversation. A stateless worker with
/// one activation per silo; key: <see cref="McpServerSpec.Key"/> of the spec passed to each call.
/// </summary>
[Alias("OpenCode.IMcpConnectionGrain")]
public interface IMcpConnectionGrain : IGrainWithStringKey
{
    /// <summary>The server's tools (cached per session).</summary>
    /// <exception cref="McpServerUnavailableException">The server cannot be reached, started or listed.</exception>
    [Alias("ListTools"), ResponseTimeout("00:05:00")]
    Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(McpServerSpec spec, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="toolName"/> (the server's own name, <see cref="McpToolInfo.Name"/>) with a JSON
    /// object of arguments. Never throws for a tool or server problem: a failing, timed-out
    /// (<see cref="McpServerSpec.CallTimeoutSeconds"/>) or unreachable tool gives an error result.
    /// Cancelling <paramref name="cancellationToken"/> cancels the call on the server and throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    [Alias("CallTool"), ResponseTimeout("00:15:00")]
    Task<McpToolResult> CallToolAsync(
        McpServerSpec spec, string toolName, string argumentsJson, CancellationToken cancellationToken = default);

    /// <summary>
    /// The state of this silo's session to the server (each silo has its own). Never connects: a server nobody
    /// used on this silo is <see cref="McpConnectionState.NotConnected"/>.
    /// </summary>
    [Alias("GetStatus")]
    Task<McpConnectionStatus> GetStatusAsync();
}
