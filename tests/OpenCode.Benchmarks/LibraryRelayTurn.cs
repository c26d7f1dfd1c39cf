namespace OpenCode.Benchmarks;

/// <summary>One blocking turn through the <see cref="LibraryRelayServer"/>: the floor under <see cref="GatewayTurn"/>.</summary>
public sealed class LibraryRelayTurn(HttpClient http, Uri relay)
{
    private readonly Uri _turn = new(relay, LibraryRelayServer.TurnPath);
    private int _n;

    public Task<TurnResult> RunAsync() => MessagePost.TimedAsync(http, _turn, Interlocked.Increment(ref _n));
}
