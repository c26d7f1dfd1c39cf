using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OpenCode.Benchmarks;

/// <summary>
/// One turn streamed through the gateway's WebSocket (<c>messages.send</c>, then the turn's <c>event</c> envelopes);
/// each client keeps a socket and a conversation of its own.
/// </summary>
public sealed class GatewayWebSocketStream(HttpClient http, Uri gateway, string agentId, int tokens) : StreamedTurn(tokens)
{
    private readonly Uri _socketUrl = new UriBuilder(gateway) { Scheme = gateway.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
    private readonly ConcurrentBag<Session> _idle = [];
    private int _n;

    public override async Task<TurnResult> RunAsync()
    {
        var session = _idle.TryTake(out var taken) ? taken : await OpenAsync();
        var n = Interlocked.Increment(ref _n);
        var send = Encoding.UTF8.GetBytes($$$"""{"type":"request","id":"{{{n}}}","method":"messages.send","params":{"conversationId":"{{{session.ConversationId}}}","message":"message {{{n}}}"}}""");
        var started = Stopwatch.GetTimestamp();
        await session.Socket.SendAsync(send, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var firstToken = TimeSpan.Zero;
        var received = 0;
        while (true)
        {
            var (frameTokens, end) = ReadEnvelope((await session.ReceiveAsync()).Span);
            if (frameTokens > 0 && received == 0)
            {
                firstToken = Stopwatch.GetElapsedTime(started);
            }

            received += frameTokens;
            if (end != TurnEnd.None)
            {
                _idle.Add(session);
                return new TurnResult(end == TurnEnd.Completed && received == Tokens, firstToken);
            }
        }
    }

    private async Task<Session> OpenAsync()
    {
        var conversation = await GatewayTurn.StartConversationAsync(http, gateway, agentId);
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(_socketUrl, CancellationToken.None);
        var session = new Session(socket, conversation);
        await socket.SendAsync("""{"type":"request","id":"0","method":"initialize","params":{"clientInfo":{"name":"opencode-benchmark","version":"1"}}}"""u8.ToArray(),
            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await session.ReceiveAsync();
        return session;
    }

    /// <summary>
    /// The tokens of an envelope (a <c>message.delta</c> event's <c>params.text</c>) and whether it ends the turn:
    /// a terminal event, or an error response to <c>messages.send</c>.
    /// </summary>
    private (int Tokens, TurnEnd End) ReadEnvelope(ReadOnlySpan<byte> frame)
    {
        var json = new Utf8JsonReader(frame);
        var tokens = 0;
        var end = TurnEnd.None;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (json.CurrentDepth == 1 && json.ValueTextEquals("method"u8) && json.Read())
            {
                end = json.ValueTextEquals("turn.completed"u8) ? TurnEnd.Completed
                    : json.ValueTextEquals("turn.failed"u8) || json.ValueTextEquals("turn.cancelled"u8) ? TurnEnd.Failed
                    : end;
            }
            else if (json.CurrentDepth == 1 && json.ValueTextEquals("error"u8) && json.Read() && json.TokenType != JsonTokenType.Null)
            {
                return (tokens, TurnEnd.Failed);
            }
            else if (json.CurrentDepth == 2 && json.ValueTextEquals("text"u8) && json.Read() && json.TokenType == JsonTokenType.String)
            {
                tokens = RecordTokens(json.ValueSpan);
            }
        }

        return (tokens, end);
    }

    private enum TurnEnd
    {
        None,
        Completed,
        Failed,
    }

    /// <summary>A socket, the conversation it streams, and the buffer its frames are put together in.</summary>
    private sealed class Session(ClientWebSocket socket, string conversationId)
    {
        private byte[] _buffer = new byte[16 * 1024];

        public ClientWebSocket Socket { get; } = socket;

        public string ConversationId { get; } = conversationId;

        /// <summary>The next whole text message.</summary>
        public async Task<ReadOnlyMemory<byte>> ReceiveAsync()
        {
            var length = 0;
            while (true)
            {
                if (length == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The gateway closed the socket: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    return _buffer.AsMemory(0, length);
                }
            }
        }
    }
}
