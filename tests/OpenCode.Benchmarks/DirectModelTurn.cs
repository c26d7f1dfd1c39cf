using System.Net.Http.Headers;
using System.Text;

namespace OpenCode.Benchmarks;

/// <summary>The baseline: one chat-completions request straight to the fake model, as a minimal client would send it.</summary>
public sealed class DirectModelTurn(HttpClient http, Uri modelUrl)
{
    private readonly Uri _completions = new(modelUrl, "chat/completions");
    private int _n;

    public async Task<TurnResult> RunAsync()
    {
        var body = $$"""{"model":"fake-model","max_tokens":256,"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"message {{Interlocked.Increment(ref _n)}}"}]}""";
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(_completions, content);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return new TurnResult(response.IsSuccessStatusCode, elapsed);
    }
}
