using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenCode.Benchmarks;

/// <summary>
/// One blocking turn through the gateway. Each client keeps a conversation of its own (a conversation runs
/// one turn at a time); the agent's small context window keeps what each turn sends to the model bounded,
/// like <see cref="DirectModelTurn"/>'s request, however long the conversation gets.
/// </summary>
public sealed class GatewayTurn(HttpClient http, Uri gateway, string agentId)
{
    private readonly ConcurrentBag<string> _idle = [];
    private int _n;

    public async Task<TurnResult> RunAsync()
    {
        var conversation = _idle.TryTake(out var taken) ? taken : await StartConversationAsync(http, gateway, agentId);
        var result = await MessagePost.TimedAsync(http, new Uri(gateway, $"/conversations/{conversation}/messages"), Interlocked.Increment(ref _n));
        _idle.Add(conversation);
        return result;
    }

    /// <summary>
    /// Starts conversations until <paramref name="count"/> are idle, before any turn is timed: a phase of that many
    /// clients then measures turns, not the creation of a conversation per client in its first interval.
    /// </summary>
    public async Task StartConversationsAsync(int count)
    {
        while (_idle.Count < count)
        {
            _idle.Add(await StartConversationAsync(http, gateway, agentId));
        }
    }

    /// <summary>Creates a conversation with <paramref name="agentId"/> through the API and returns its id.</summary>
    public static async Task<string> StartConversationAsync(HttpClient http, Uri gateway, string agentId)
    {
        using var response = await http.PostAsJsonAsync(new Uri(gateway, "/conversations"), new { agentId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}
