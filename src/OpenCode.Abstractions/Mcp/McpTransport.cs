namespace OpenCode.Abstractions;

/// <summary>How the silo talks to an MCP server.</summary>
[GenerateSerializer, Alias("OpenCode.McpTransport")]
public enum McpTransport
{
    /// <summary>A child process spoken to over stdin/stdout.</summary>
    Stdio,

    /// <summary>Streamable HTTP, falling back to HTTP+SSE when the server only speaks that.</summary>
    StreamableHttp,

    /// <summary>The legacy HTTP+SSE transport only.</summary>
    Sse,

    /// <summary>A WebSocket (<c>ws://</c>, <c>wss://</c>): each JSON-RPC message is one text message.</summary>
    WebSocket,
    /// <summary>A server hosted in the silo's own process (the built-in <c>workspace</c> server), over in-memory pipes.</summary>
    InProcess,
}
