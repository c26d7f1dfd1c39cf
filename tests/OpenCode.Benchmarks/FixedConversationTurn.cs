using System.Net.Http.Headers;
using System.Text;

namespace OpenCode.Benchmarks;

/// <summary>One blocking turn through the gateway, always in the same conversation (unlike <see cref="GatewayTurn"/>'s pool).</summary>
public sealed class FixedConversationTurn(HttpClient http, Uri gateway, string conversationId)
{
    private readonly Uri _messages = new(gateway, $"/conversations/{conversationId}/messages");
    private int _n;

    public async Task<TurnResult> RunAsync()
    {
        var body = $$"""{"message":"message {{Interlocked.Increment(ref _n)}}"}""";
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(_messages, content);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return new TurnResult(response.IsSuccessStatusCode, elapsed);
    }
}
