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
            Content = MessagePost.Content(Interlocked.Increment(ref _n)),
        };
        var read = await ReadEventsAsync(http, request, (_, data) => RecordText(data));
        return new TurnResult(read.Answered && read.Received == Tokens, read.FirstToken);
    }
}
