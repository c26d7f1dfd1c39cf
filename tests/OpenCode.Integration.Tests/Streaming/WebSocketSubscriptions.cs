using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>
/// One <c>/ws</c> socket subscribed to many conversations (<c>conversations.subscribe</c>), its <c>event</c> envelopes
/// read into each conversation's <see cref="ConversationSubscriber"/> until cancelled.
/// </summary>
public sealed class WebSocketSubscriptions : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Dictionary<string, ConversationSubscriber> _subscribers;
    private byte[] _buffer = new byte[16 * 1024];

    private WebSocketSubscriptions(IEnumerable<ConversationSubscriber> subscribers) =>
        _subscribers = subscribers.ToDictionary(s => s.ConversationId);

    /// <summary>Fails if the socket breaks or closes, or the gateway answers a request with an error.</summary>
    public Task Reading { get; private set; } = Task.CompletedTask;

    /// <summary>Connects, subscribes every conversation from the start of its log and returns once every subscription is confirmed.</summary>
    public static async Task<WebSocketSubscriptions> OpenAsync(Uri gateway, IReadOnlyCollection<ConversationSubscriber> subscribers, CancellationToken cancellationToken)
    {
        var subscriptions = new WebSocketSubscriptions(subscribers);
        await subscriptions._socket.ConnectAsync(new UriBuilder(gateway) { Scheme = "ws", Path = "/ws" }.Uri, cancellationToken);
        await subscriptions.SendAsync("""{"type":"request","id":"init","method":"initialize","params":{"clientInfo":{"name":"subscription-load-test","version":"1"}}}""", cancellationToken);
        foreach (var subscriber in subscribers)
        {
            await subscriptions.SendAsync(
                $$$"""{"type":"request","id":"{{{subscriber.ConversationId}}}","method":"conversations.subscribe","params":{"conversationId":"{{{subscriber.ConversationId}}}","after":0}}""", cancellationToken);
        }

        // Answers to initialize and each subscribe; events may come between them.
        var answered = 0;
        while (answered < subscribers.Count + 1)
        {
            answered += subscriptions.Dispatch(await subscriptions.ReceiveAsync(cancellationToken)) ? 1 : 0;
        }

        subscriptions.Reading = subscriptions.ReadAsync(cancellationToken);
        return subscriptions;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }

        _socket.Dispose();
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Dispatch(await ReceiveAsync(cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Hands an event to its conversation's subscriber; true for a (successful) response.</summary>
    private bool Dispatch(JsonElement envelope)
    {
        switch (envelope.GetProperty("type").GetString())
        {
            case "event":
                var data = envelope.GetProperty("params");
                var received = ReceivedEvent.Parse(data);
                if (envelope.GetProperty("method").GetString() != received.Type)
                {
                    throw new InvalidDataException($"event envelope of method {envelope.GetProperty("method")} with params of type {received.Type}");
                }

                _subscribers[data.GetProperty("conversationId").GetString()!].Add(received);
                return false;
            case "response" when !envelope.TryGetProperty("error", out var error) || error.ValueKind == JsonValueKind.Null:
                return true;
            default:
                throw new InvalidDataException($"unexpected frame: {envelope}");
        }
    }

    private Task SendAsync(string frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task<JsonElement> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"the gateway closed the socket: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonSerializer.Deserialize<JsonElement>(_buffer.AsSpan(0, length));
            }
        }
    }
}
