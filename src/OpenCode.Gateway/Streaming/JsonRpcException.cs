namespace OpenCode.Gateway.Streaming;

/// <summary>A WebSocket frame that is not a request this server can take (parse error, invalid request, unknown method).</summary>
public sealed class JsonRpcException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
