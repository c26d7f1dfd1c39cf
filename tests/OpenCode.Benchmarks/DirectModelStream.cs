using System.Net.Http.Headers;
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
        var read = await ReadEventsAsync(http, request, (_, data) => RecordChunk(data));
        return new TurnResult(read.Answered && read.Received == Tokens, read.FirstToken);
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
