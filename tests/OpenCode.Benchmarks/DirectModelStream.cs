using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace OpenCode.Benchmarks;

/// <summary>The baseline: one streamed chat-completions request straight to the fake model, the request <see cref="DirectModelTurn"/> sends.</summary>
public sealed class DirectModelStream(HttpClient http, Uri modelUrl, int tokens) : StreamedTurn(tokens)
{
    private readonly Uri _completions = new(modelUrl, "chat/completions");
    private int _n;

    public override async Task<TurnResult> RunAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _completions)
        {
            Content = new StringContent(DirectModelTurn.RequestBody($"message {Interlocked.Increment(ref _n)}", stream: true), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            return new TurnResult(false, Stopwatch.GetElapsedTime(started));
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        var firstToken = TimeSpan.Zero;
        var received = 0;
        await foreach (var chunk in SseParser.Create(body, (_, data) => RecordChunk(data)).EnumerateAsync())
        {
            if (chunk.Data > 0 && received == 0)
            {
                firstToken = Stopwatch.GetElapsedTime(started);
            }

            received += chunk.Data;
        }

        return new TurnResult(received == Tokens, firstToken);
    }

    /// <summary>The tokens in one chunk's <c>choices[0].delta.content</c>; the role chunk and <c>[DONE]</c> have none.</summary>
    private int RecordChunk(ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return 0;
        }

        var json = new Utf8JsonReader(data);
        while (json.Read())
        {
            if (json.TokenType == JsonTokenType.PropertyName && json.ValueTextEquals("content"u8) && json.Read() && json.TokenType == JsonTokenType.String)
            {
                return RecordTokens(json.ValueSpan);
            }
        }

        return 0;
    }
}
