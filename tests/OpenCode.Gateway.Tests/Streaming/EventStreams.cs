using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Streaming;

/// <summary>SSE requests to the gateway, read with the test kit's <see cref="ServerSentEventReader"/>.</summary>
internal static class EventStreams
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends a message asking for the turn as an event stream; the caller reads (and disposes) the response.</summary>
    public static async Task<HttpResponseMessage> PostMessageAsync(HttpClient client, string conversationId, string message, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { message }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<HttpResponseMessage> GetEventsAsync(HttpClient client, string conversationId, string? query = null, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/conversations/{conversationId}/events{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<ServerSentEventReader> ReaderAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await ErrorAsync(response));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new ServerSentEventReader(await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Events until (and with) the first that <paramref name="last"/> matches.</summary>
    public static async Task<List<ServerSentEvent>> ReadUntilAsync(ServerSentEventReader reader, Func<ServerSentEvent, bool> last, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeout);
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync(deadline.Token) is { } e)
        {
            events.Add(e);
            if (last(e))
            {
                return events;
            }
        }

        Assert.Fail($"The stream ended after {events.Count} events without the one awaited: {string.Join(", ", events.Select(e => e.Type))}");
        return events;
    }

    public static bool IsTerminal(ServerSentEvent e) => e.Type is "turn.completed" or "turn.failed" or "turn.cancelled";

    public static JsonObject Data(ServerSentEvent e) => JsonNode.Parse(e.Data)!.AsObject();

    public static string Text(IEnumerable<ServerSentEvent> events) =>
        string.Concat(events.Where(e => e.Type == "message.delta").Select(e => (string?)Data(e)["text"]));

    /// <summary>Waits until the conversation has no turn running.</summary>
    public static async Task WaitIdleAsync(HttpClient client, string conversationId)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while ((string?)(await client.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}", deadline.Token))!["status"] != "idle")
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    public static async Task<JsonArray> HistoryAsync(HttpClient client, string conversationId) =>
        (await client.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}/messages"))!["messages"]!.AsArray();

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? "" : $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
}
