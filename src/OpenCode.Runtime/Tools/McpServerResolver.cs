using OpenCode.Abstractions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tools;

/// <summary>Turns an agent's MCP server entry (possibly a reference to an operator-defined server) into a connectable spec.</summary>
public sealed class McpServerResolver(OperatorMcpServers operatorServers)
{
    /// <summary>The spec, or an error message saying why this server cannot be used.</summary>
    public (McpServerSpec? Spec, string? Error) Resolve(McpServerConfig entry)
    {
        var server = entry.Command is null && entry.Url is null ? operatorServers.Find(entry.Name) : entry;
        if (server is null)
        {
            return (null, $"no operator-defined MCP server named '{entry.Name}'");
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

    private static string InferTransport(McpServerConfig server) =>
        server.Command is not null ? "stdio"
        : server.Url is not null && (server.Url.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || server.Url.StartsWith("wss://", StringComparison.OrdinalIgnoreCase)) ? "websocket"
        : "streamable-http";
}
