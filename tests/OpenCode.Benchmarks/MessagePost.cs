using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace OpenCode.Benchmarks;

/// <summary>The request body every HTTP path sends a turn with, <c>{"message":"message N"}</c>, and one blocking send of it.</summary>
public static class MessagePost
{
    public static StringContent Content(int n) =>
        new($$"""{"message":"message {{n}}"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>Posts message <paramref name="n"/> to <paramref name="url"/>, timed from sending to the end of the answer.</summary>
    public static async Task<TurnResult> TimedAsync(HttpClient http, Uri url, int n)
    {
        using var content = Content(n);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(url, content);
        await response.Content.ReadAsByteArrayAsync();
        return new TurnResult(response.IsSuccessStatusCode, Stopwatch.GetElapsedTime(started));
    }
}
