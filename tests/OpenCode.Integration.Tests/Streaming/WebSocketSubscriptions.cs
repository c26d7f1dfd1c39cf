using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>
/// One <c>/ws</c> socket subscribed to many conversations (<c>conversations.subscribe</c>), its <c>event</c> envelopes
/// read into each conversation's <see cref="ConversationSubscriber"/> until disposed.
/// </summary>
public sealed class WebSocketSubscriptions : IAsyncDisposable
{
    private readonly WebSocketJsonClient _client;
    private readonly Dictionary<string, ConversationSubscriber> _subscribers;
    private volatile bool _disposing;

    private WebSocketSubscriptions(WebSocketJsonClient client, IEnumerable<ConversationSubscriber> subscribers)
    {
        _client = client;
        _subscribers = subscribers.ToDictionary(s => s.ConversationId);
        Reading = ReadAsync();
    }

    /// <summary>Fails if the socket closes before <see cref="DisposeAsync"/> or an event does not belong to a subscribed conversation.</summary>
    public Task Reading { get; }

    /// <summary>Connects, subscribes every conversation from the start of its log and returns once every subscription is confirmed.</summary>
    public static async Task<WebSocketSubscriptions> OpenAsync(Uri gateway, IReadOnlyCollection<ConversationSubscriber> subscribers, CancellationToken cancellationToken)
    {
        var client = await WebSocketJsonClient.ConnectAsync(gateway, cancellationToken);
        EnsureResult(await client.RequestAsync("initialize", new { clientInfo = new { name = "subscription-load-test", version = "1" } }));
        await Task.WhenAll(subscribers.Select(async s =>
            EnsureResult(await client.RequestAsync("conversations.subscribe", new { conversationId = s.ConversationId, after = 0 }))));
        return new WebSocketSubscriptions(client, subscribers);
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await _client.DisposeAsync();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (true)
            {
                var envelope = await _client.NextEventAsync(Timeout.InfiniteTimeSpan);
                var data = envelope["params"]!;
                var received = data.Deserialize<ReceivedEvent>(JsonSerializerOptions.Web)!;
                if ((string?)envelope["method"] != received.Type)
                {
                    throw new InvalidDataException($"event envelope of method {envelope["method"]} with params of type {received.Type}");
                }

                _subscribers[(string)data["conversationId"]!].Add(received);
            }
        }
        catch (ChannelClosedException) when (_disposing)
        {
            // Closed by the test.
        }
        catch (ChannelClosedException)
        {
            throw new InvalidDataException($"the gateway closed the socket: {_client.CloseStatus} {_client.CloseStatusDescription}");
        }
    }

    private static void EnsureResult(JsonObject response)
    {
        if (response["error"] is { } error)
        {
            throw new InvalidDataException($"the gateway answered {error.ToJsonString()}");
        }
    }
}
