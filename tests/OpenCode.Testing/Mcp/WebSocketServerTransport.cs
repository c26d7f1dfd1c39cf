using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace OpenCode.Testing;

/// <summary>
/// The server side of an MCP session on an accepted WebSocket, for the test MCP server: one JSON-RPC message per
/// text message, read until the client closes. The SDK ships no WebSocket transport; this one is written apart
/// from the gateway's client transport so the tests do not check that code against itself.
/// </summary>
internal sealed class WebSocketServerTransport : TransportBase
{
    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reading;
    private int _disposed;

    public WebSocketServerTransport(WebSocket socket)
        : base("test-mcp-websocket", null)
    {
        _socket = socket;
        SetConnected();
        _reading = Task.Run(ReadAsync, CancellationToken.None);
    }

    public override async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, MessageType);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, _stopping.Token);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Closes the socket with <paramref name="status"/> (a server going away says so) and ends the session.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _socket.CloseOutputAsync(status, description, timeout.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // The client is gone already.
            }
        }

        await DisposeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket.Abort();
        await _reading;
        SetDisconnected();
    }

    private async Task ReadAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer.GetMemory(4096), _stopping.Token);
                    buffer.Advance(received.Count);
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (JsonSerializer.Deserialize(buffer.WrittenSpan, MessageType) is { } message)
                {
                    await WriteMessageAsync(message, _stopping.Token);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or JsonException)
        {
            // Stopped, the client vanished, or it sent something that is not JSON-RPC: the session ends.
        }

        SetDisconnected();
    }
}
