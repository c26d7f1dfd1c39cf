using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace OpenCode.Benchmarks;

/// <summary>One blocking turn through the <see cref="LibraryRelayServer"/>: the floor under <see cref="GatewayTurn"/>.</summary>
public sealed class LibraryRelayTurn(HttpClient http, Uri relay)
{
    private readonly Uri _turn = new(relay, LibraryRelayServer.TurnPath);
    private int _n;

    public async Task<TurnResult> RunAsync()
    {
        using var content = new StringContent($$"""{"message":"message {{Interlocked.Increment(ref _n)}}"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(_turn, content);
        await response.Content.ReadAsByteArrayAsync();
        return new TurnResult(response.IsSuccessStatusCode, Stopwatch.GetElapsedTime(started));
    }
}
