using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace OpenCode.Testing;

/// <summary>
/// A client of the gateway's <c>/ws</c> envelope protocol. It reads all the time (it is never the slow reader): responses
/// with an id go to their <see cref="RequestAsync"/>, the rest to <see cref="NextResponseAsync"/>, events to
/// <see cref="NextEventAsync"/>.
/// </summary>
public sealed class WebSocketJsonClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly Channel<JsonObject> _responses = Channel.CreateUnbounded<JsonObject>();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Task _receiving;
    private int _lastId;

    private WebSocketJsonClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveAsync();
    }

    /// <summary>Completes when the server closed the socket (or the connection broke).</summary>
    public Task Closed => _receiving;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    public WebSocketState State => _socket.State;

    /// <summary>Connects to <c>/ws</c> of a gateway at <paramref name="baseUrl"/> (http → ws).</summary>
    public static Task<WebSocketJsonClient> ConnectAsync(Uri baseUrl, CancellationToken cancellationToken = default) =>
        ConnectAsync(WebSocketUrl(baseUrl), _ => { }, cancellationToken);

    /// <summary>Connects to a WebSocket URL with options of its own (credentials in a header).</summary>
    public static async Task<WebSocketJsonClient> ConnectAsync(Uri url, Action<ClientWebSocketOptions> configure, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        configure(socket.Options);
        await socket.ConnectAsync(url, cancellationToken);
        return new WebSocketJsonClient(socket);
    }

    public static Uri WebSocketUrl(Uri baseUrl) => new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;

    /// <summary>Sends a request and waits for the response with its id (a result or an error).</summary>
    public async Task<JsonObject> RequestAsync(string method, object? parameters = null, TimeSpan? timeout = null)
    {
        var id = "r" + Interlocked.Increment(ref _lastId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var request = new JsonObject { ["type"] = "request", ["id"] = id, ["method"] = method };
        if (parameters is not null)
        {
            request["params"] = parameters as JsonNode ?? JsonSerializer.SerializeToNode(parameters);
        }

        await SendTextAsync(request.ToJsonString());
        return await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends any text frame as it is (malformed ones included).</summary>
    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends bytes as one frame of <paramref name="type"/> as they are: a text frame that is not UTF-8, a binary frame.</summary>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next response that no <see cref="RequestAsync"/> waited for (for example one with a null id).</summary>
    public Task<JsonObject> NextResponseAsync(TimeSpan? timeout = null) => NextAsync(_responses, timeout);

    public Task<JsonObject> NextEventAsync(TimeSpan? timeout = null) => NextAsync(_events, timeout);

    /// <summary>Events until (and with) the first that <paramref name="last"/> matches.</summary>
    public async Task<List<JsonObject>> EventsUntilAsync(Func<JsonObject, bool> last, TimeSpan? timeout = null)
    {
        var events = new List<JsonObject>();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var e = await _events.Reader.ReadAsync(deadline.Token);
            events.Add(e);
            if (last(e))
            {
                return events;
            }
        }
    }

    /// <summary>Whether an event is queued right now (nothing is waited for).</summary>
    public bool TryTakeEvent(out JsonObject? e) => _events.Reader.TryRead(out e);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException)
            {
            }
        }

        _socket.Dispose();
    }

    private static async Task<JsonObject> NextAsync(Channel<JsonObject> channel, TimeSpan? timeout)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await channel.Reader.ReadAsync(deadline.Token);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    return;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var frame = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                Dispatch(frame);
            }
        }
        catch (WebSocketException)
        {
            // The connection broke; Closed completes.
        }
        finally
        {
            _events.Writer.TryComplete();
            _responses.Writer.TryComplete();
        }
    }

    private void Dispatch(JsonObject frame)
    {
        if ((string?)frame["type"] == "event")
        {
            _events.Writer.TryWrite(frame);
        }
        else if (frame["id"]?.GetValueKind() == JsonValueKind.String && _pending.TryRemove((string)frame["id"]!, out var answer))
        {
            answer.TrySetResult(frame);
        }
        else
        {
            _responses.Writer.TryWrite(frame);
        }
    }
}
