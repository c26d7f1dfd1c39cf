using System.Globalization;
using System.Net.ServerSentEvents;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>One <c>GET /conversations/{id}/events</c> stream, read into a <see cref="ConversationSubscriber"/> until cancelled.</summary>
public static class SseSubscription
{
    /// <summary>
    /// Opens the stream (from the start of the log) and returns once the gateway has answered with its headers; the
    /// returned task reads it until <paramref name="cancellationToken"/> is cancelled and fails if the stream breaks,
    /// ends, or an event's <c>id</c> and <c>event</c> do not match its data.
    /// </summary>
    public static async Task<Task> OpenAsync(HttpClient http, ConversationSubscriber subscriber, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/conversations/{subscriber.ConversationId}/events?after=0");
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return ReadAsync(request, response, subscriber, cancellationToken);
    }

    private static async Task ReadAsync(HttpRequestMessage request, HttpResponseMessage response, ConversationSubscriber subscriber, CancellationToken cancellationToken)
    {
        using (request)
        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            try
            {
                await foreach (var item in SseParser.Create(body, (_, data) => ReceivedEvent.Parse(data)).EnumerateAsync(cancellationToken))
                {
                    var received = item.Data;
                    if (item.EventType != received.Type || item.EventId != received.Seq.ToString(CultureInfo.InvariantCulture))
                    {
                        throw new InvalidDataException($"{subscriber.ConversationId}: frame id {item.EventId}, event {item.EventType} with data seq {received.Seq}, type {received.Type}");
                    }

                    subscriber.Add(received);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            throw new InvalidDataException($"{subscriber.ConversationId}: the event stream ended while subscribed");
        }
    }
}
