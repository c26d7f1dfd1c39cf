using System.Buffers.Text;
using System.Diagnostics;
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
