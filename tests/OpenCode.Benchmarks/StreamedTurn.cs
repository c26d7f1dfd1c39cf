using System.Buffers.Text;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace OpenCode.Benchmarks;

/// <summary>
/// One streamed turn of the <c>--stream</c> mode on one path. The fake model sends every token as its own send
/// timestamp (<c>" &lt;Stopwatch timestamp&gt;"</c>, one clock for every process on the machine), so each token's
/// delivery latency is read on arrival. <see cref="RunAsync"/>'s elapsed time is the time to the first token.
/// </summary>
public abstract class StreamedTurn(int tokens)
{
    /// <summary>Send-to-arrival latency of every token of the current phase.</summary>
    public LatencyRecorder TokenLatencies { get; private set; } = new();

    /// <summary>The tokens each turn must deliver for it to count as a success.</summary>
    protected int Tokens { get; } = tokens;

    /// <summary>Starts a new <see cref="TokenLatencies"/> for the next phase.</summary>
    public void StartPhase() => TokenLatencies = new LatencyRecorder();

    /// <summary>Streams one turn; <see cref="TurnResult.Elapsed"/> is the time from sending to the first token.</summary>
    public abstract Task<TurnResult> RunAsync();

    /// <summary>
    /// Records the latency of each token in a piece of streamed text (raw JSON string bytes: digits and spaces need
    /// no unescaping) and returns how many there were: a relay may join tokens that arrive together.
    /// </summary>
    protected int RecordTokens(ReadOnlySpan<byte> text)
    {
        var now = Stopwatch.GetTimestamp();
        var count = 0;
        foreach (var range in text.Split((byte)' '))
        {
            var piece = text[range];
            if (Utf8Parser.TryParse(piece, out long sent, out var consumed) && consumed == piece.Length)
            {
                TokenLatencies.Add(Stopwatch.GetElapsedTime(sent, now));
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and reads its server-sent events, each parsed by <paramref name="parse"/> into the
    /// tokens it carries, to the end of the stream or through the first event whose type <paramref name="isLast"/>
    /// accepts. The time to the first token is timed from sending (to the failure, for a response that is not 2xx).
    /// </summary>
    protected static async Task<EventStreamRead> ReadEventsAsync(
        HttpClient http, HttpRequestMessage request, SseItemParser<int> parse, Func<string, bool>? isLast = null)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            return new EventStreamRead(false, Stopwatch.GetElapsedTime(started), 0, null);
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        var firstToken = TimeSpan.Zero;
        var received = 0;
        await foreach (var item in SseParser.Create(body, parse).EnumerateAsync())
        {
            if (item.Data > 0 && received == 0)
            {
                firstToken = Stopwatch.GetElapsedTime(started);
            }

            received += item.Data;
            if (isLast?.Invoke(item.EventType) == true)
            {
                return new EventStreamRead(true, firstToken, received, item.EventType);
            }
        }

        return new EventStreamRead(true, firstToken, received, null);
    }

    /// <summary>The tokens in the top-level <c>text</c> of a JSON object, as a <c>message.delta</c> event carries them.</summary>
    protected int RecordText(ReadOnlySpan<byte> data)
    {
        var json = new Utf8JsonReader(data);
        while (json.Read())
        {
            if (json.TokenType == JsonTokenType.PropertyName && json.CurrentDepth == 1 && json.ValueTextEquals("text"u8) && json.Read())
            {
                return RecordTokens(json.ValueSpan);
            }
        }

        return 0;
    }
}

/// <summary>
/// What <see cref="StreamedTurn.ReadEventsAsync"/> read: whether the response was 2xx, the time to the first token, the
/// tokens received and the type of the event the read stopped at (null at the end of the stream).
/// </summary>
public readonly record struct EventStreamRead(bool Answered, TimeSpan FirstToken, int Received, string? StoppedAt);
