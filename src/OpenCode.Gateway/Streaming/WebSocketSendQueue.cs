using System.Net.WebSockets;
using System.Threading.Channels;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// The frames waiting to go out on one socket, sent by one writer (a WebSocket takes one send at a time). The queue is
/// bounded: producers wait while it is full, and a queue that stays full for
/// <see cref="WebSocketStreamingOptions.SendQueueFullTimeout"/> closes the socket with 1008 instead of buffering more.
/// </summary>
public sealed class WebSocketSendQueue(WebSocket socket, WebSocketStreamingOptions options)
{
    public const string SlowReaderReason = "send queue full: the client reads too slowly";

    private readonly Channel<ReadOnlyMemory<byte>> _frames = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(Math.Max(1, options.SendQueueLimit)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private CloseRequest? _close;

    public bool IsClosing => Volatile.Read(ref _close) is not null;

    /// <summary>Queues a frame, waiting while the queue is full. False when the socket is closing and the frame was dropped.</summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (_frames.Writer.TryWrite(frame))
        {
            return true;
        }

        if (IsClosing)
        {
            return false;
        }

        using var full = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        full.CancelAfter(options.SendQueueFullTimeout);
        try
        {
            await _frames.Writer.WriteAsync(frame, full.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Close(WebSocketCloseStatus.PolicyViolation, SlowReaderReason);
            return false;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Asks the writer to send a close frame after the frame it is sending; frames still queued are dropped.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.CompareExchange(ref _close, new CloseRequest(status, reason), null) is null)
        {
            _frames.Writer.TryComplete();
        }
    }

    /// <summary>The writer: sends queued frames until <see cref="Close"/>, then the close frame.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reader = _frames.Reader;
            while (!IsClosing && await reader.WaitToReadAsync(cancellationToken))
            {
                while (!IsClosing && reader.TryRead(out var frame))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
            }

            var close = Volatile.Read(ref _close) ?? new CloseRequest(WebSocketCloseStatus.NormalClosure, "");
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(close.Status, close.Reason, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The connection is gone: nothing more can be sent.
        }
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Reason);
}
