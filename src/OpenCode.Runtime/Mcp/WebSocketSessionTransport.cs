using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// One MCP session on a connected WebSocket: sends each JSON-RPC message as one text message and reads the
/// server's messages until the socket closes, which completes the session with the reason.
/// </summary>
internal sealed partial class WebSocketSessionTransport : TransportBase
{
    /// <summary>The largest message accepted; a server sending more is cut off rather than filling the silo's memory.</summary>
    internal const int MaxMessageBytes = 16 * 1024 * 1024;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private readonly WebSocket _socket;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private int _disposed;

    public WebSocketSessionTransport(string name, WebSocket socket, ILoggerFactory loggerFactory)
        : base(name, loggerFactory)
    {
        _socket = socket;
        _logger = loggerFactory.CreateLogger<WebSocketSessionTransport>();
        SetConnected();
        _reading = Task.Run(ReadAsync, CancellationToken.None);
    }

    public override async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, MessageType);
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                throw new MessageNotSentException($"The WebSocket to the MCP server is {_socket.State.ToString().ToLowerInvariant()}.");
            }

            // Not the caller's token: cancelling a WebSocket send aborts the socket, and with it every other call
            // of this shared session. A send that cannot finish ends when the keep-alive gives up on the peer.
            await _socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw new IOException("The WebSocket to the MCP server is closed.", exception);
        }
        finally
        {
            _sending.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closed the session", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone already; aborting below is all that is left to do.
            }
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        await _reading.ConfigureAwait(false);
        _socket.Dispose();
        _closing.Dispose();
        _sending.Dispose();
        SetDisconnected();
    }

    private async Task ReadAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Exception? error = null;
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", _closing.Token).ConfigureAwait(false);
                        throw new IOException($"The MCP server sent a message larger than {MaxMessageBytes} bytes.");
                    }

                    received = await _socket.ReceiveAsync(buffer.GetMemory(4096), _closing.Token).ConfigureAwait(false);
                    buffer.Advance(received.Count);
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    error = new IOException(
                        $"The MCP server closed the WebSocket ({_socket.CloseStatus}{(string.IsNullOrEmpty(_socket.CloseStatusDescription) ? "" : ": " + _socket.CloseStatusDescription)}).");
                    break;
                }

                Dispatch(buffer.WrittenSpan);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Disposed: a graceful end.
        }
        catch (Exception exception)
        {
            error = exception;
        }

        if (error is not null)
        {
            SetDisconnected(new ClientTransportClosedException(new ClientCompletionDetails { Exception = error }));
        }
    }

    private void Dispatch(ReadOnlySpan<byte> json)
    {
        JsonRpcMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(json, MessageType);
        }
        catch (JsonException exception)
        {
            LogMalformedMessage(Name, exception.Message);
            return;
        }

        if (message is not null)
        {
            // The channel is unbounded, so this completes at once.
            _ = WriteMessageAsync(message, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} sent a WebSocket message that is not JSON-RPC: {Reason}")]
    private partial void LogMalformedMessage(string server, [Pii] string reason);
}
