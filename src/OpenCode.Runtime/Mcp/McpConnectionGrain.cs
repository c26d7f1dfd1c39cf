using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OpenCode.Abstractions;
using OpenCode.Runtime.Mcp.Auth;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// The MCP session to one server on this silo. One activation per silo (a local stateless worker), shared
/// by every conversation; reentrant, so concurrent calls are multiplexed over the one session. Not retired by
/// Orleans' adaptive worker removal, which deactivates even a sole worker as soon as it is idle after calls queued:
/// the session (a server process, for stdio) lasts until idle collection.
/// </summary>
[StatelessWorker(1, removeIdleWorkers: false)]
[Reentrant]
public sealed class McpConnectionGrain(
    ConfiguredSecrets secrets, McpSupervisionOptions supervision, ILoggerFactory loggerFactory, WorkspaceServer workspace, ConnectionGuard guard)
    : Grain, IMcpConnectionGrain
{
    private McpServerConnection? _connection;
    private string? _key;

    public Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(McpServerSpec spec, CancellationToken cancellationToken = default) =>
        ConnectionFor(spec).ListToolsAsync(cancellationToken);

    public Task<McpToolResult> CallToolAsync(
        McpServerSpec spec, string toolName, string argumentsJson, CancellationToken cancellationToken = default) =>
        ConnectionFor(spec).CallToolAsync(toolName, argumentsJson, cancellationToken);

    public Task<McpConnectionStatus> GetStatusAsync() =>
        Task.FromResult(_connection?.Status() ?? McpConnectionStatus.NotConnected);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }

    private McpServerConnection ConnectionFor(McpServerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var key = _key ??= this.GetPrimaryKeyString();
        if (!string.Equals(spec.Key, key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The MCP server spec '{spec.Name}' has key '{spec.Key}', not this grain's key '{key}'.", nameof(spec));
        }

        return _connection ??= new McpServerConnection(spec, secrets, supervision, loggerFactory, workspace, guard);
    }
}
