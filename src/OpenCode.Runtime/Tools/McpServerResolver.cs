using OpenCode.Abstractions;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// Turns an agent's MCP server entry (possibly a reference to an operator-defined server) into a connectable spec.
/// Operator-defined servers are trusted; an agent's own URL or command is checked against the
/// <see cref="EndpointPolicy"/> again here, as the agent may have been saved under a more permissive one.
/// </summary>
public sealed class McpServerResolver(OperatorMcpServers operatorServers, EndpointPolicy policy)
{
    /// <summary>The spec, or an error message saying why this server cannot be used.</summary>
    public (McpServerSpec? Spec, string? Error) Resolve(McpServerConfig entry)
    {
        var isReference = entry.Command is null && entry.Url is null;
        var server = isReference ? operatorServers.Find(entry.Name) : entry;
        if (server is null)
        {
            return (null, $"no operator-defined MCP server named '{entry.Name}'");
        }

        if (!isReference && Refusal(server) is { } refusal)
        {
            return (null, $"not allowed: {refusal}");
        }

        var transport = server.Transport ?? InferTransport(server);
        McpTransport? kind = transport switch
        {
            "stdio" => McpTransport.Stdio,
            "streamable-http" => McpTransport.StreamableHttp,
            "sse" => McpTransport.Sse,
            "websocket" => McpTransport.WebSocket,
            WorkspaceServer.TransportName => McpTransport.InProcess,
            _ => null,
        };
        if (kind is null)
        {
            return (null, $"'{transport}' is not an MCP transport (expected stdio, streamable-http, sse or websocket)");
        }

        if (kind == McpTransport.Stdio && server.Auth is not null)
        {
            return (null, "a stdio server takes no 'auth'; give it its secrets in 'env'");
        }

        var spec = new McpServerSpec(
            entry.Name,
            kind.Value,
            server.Command,
            server.Args ?? [],
            server.Env ?? new Dictionary<string, string>(),
            server.Url,
            server.TimeoutSeconds ?? McpServerSpec.DefaultCallTimeoutSeconds,
            server.Auth,
            server.Idempotent ?? false);
        return (spec, null);
    }

    private string? Refusal(McpServerConfig server) =>
        (server.Command is not null ? policy.RefusalForCommand(server.Command) : policy.RefusalFor(server.Url!))
        ?? (server.Auth?.TokenUrl is { } tokenUrl ? policy.RefusalFor(tokenUrl) : null);

    private static string InferTransport(McpServerConfig server) =>
        server.Command is not null ? "stdio"
        : server.Url is not null && (server.Url.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || server.Url.StartsWith("wss://", StringComparison.OrdinalIgnoreCase)) ? "websocket"
        : "streamable-http";
}
