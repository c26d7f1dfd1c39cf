using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;

namespace OpenCode.Benchmarks;

/// <summary>One turn streamed through the <see cref="LibraryRelayServer"/>: the floor under <see cref="GatewaySseStream"/>.</summary>
public sealed class LibraryRelayStream(HttpClient http, Uri relay, int tokens) : StreamedTurn(tokens)
{
    private readonly Uri _stream = new(relay, LibraryRelayServer.StreamPath);
    private int _n;

    public override async Task<TurnResult> RunAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _stream)
        {
            Content = JsonContent.Create(new RelayRequest($"message {Interlocked.Increment(ref _n)}")),
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
        await foreach (var item in SseParser.Create(body, (_, data) => RecordText(data)).EnumerateAsync())
        {
            if (item.Data > 0 && received == 0)
            {
                firstToken = Stopwatch.GetElapsedTime(started);
            }

            received += item.Data;
        }

        return new TurnResult(received == Tokens, firstToken);
    }
}
