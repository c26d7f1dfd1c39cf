using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenCode.Benchmarks;

/// <summary>
/// One blocking turn through the gateway. Each client works in a conversation of its own (a conversation
/// runs one turn at a time) and starts a new one every few turns so every turn sends a similar context.
/// </summary>
public sealed class GatewayTurn(HttpClient http, Uri gateway, string agentId)
{
    private const int TurnsPerConversation = 8;

    private readonly ConcurrentBag<(string Id, int Turns)> _idle = [];
    private int _n;

    public async Task<TurnResult> RunAsync()
    {
        var (conversation, turns) = _idle.TryTake(out var taken) ? taken : (await StartAsync(), 0);
        var body = $$"""{"message":"message {{Interlocked.Increment(ref _n)}}"}""";
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(new Uri(gateway, $"/conversations/{conversation}/messages"), content);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (turns + 1 < TurnsPerConversation)
        {
            _idle.Add((conversation, turns + 1));
        }

        return new TurnResult(response.IsSuccessStatusCode, elapsed);
    }

    private async Task<string> StartAsync()
    {
        using var response = await http.PostAsJsonAsync(new Uri(gateway, "/conversations"), new { agentId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}
