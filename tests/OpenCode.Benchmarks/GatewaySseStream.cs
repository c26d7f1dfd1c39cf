using System.Collections.Concurrent;
using System.Net.Http.Headers;
using OpenCode.Abstractions;

namespace OpenCode.Benchmarks;

/// <summary>
/// One turn streamed through the gateway over SSE (<c>POST /conversations/{id}/messages</c> with
/// <c>Accept: text/event-stream</c>); each client keeps a conversation of its own, like <see cref="GatewayTurn"/>.
/// </summary>
public sealed class GatewaySseStream(HttpClient http, Uri gateway, string agentId, int tokens) : StreamedTurn(tokens)
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    private readonly ConcurrentBag<string> _idle = [];
    private int _n;

    public override async Task<TurnResult> RunAsync()
    {
        var conversation = _idle.TryTake(out var taken) ? taken : await GatewayTurn.StartConversationAsync(http, gateway, agentId);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, $"/conversations/{conversation}/messages"))
        {
            Content = MessagePost.Content(Interlocked.Increment(ref _n)),
        };
        request.Headers.Accept.Add(EventStream);
        var read = await ReadEventsAsync(
            http, request, (type, data) => type == ConversationEventTypes.MessageDelta ? RecordText(data) : 0, ConversationEventTypes.IsTerminal);
        if (!read.Answered)
        {
            return new TurnResult(false, read.FirstToken);
        }

        _idle.Add(conversation);
        return new TurnResult(read.StoppedAt == ConversationEventTypes.TurnCompleted && read.Received == Tokens, read.FirstToken);
    }
}
