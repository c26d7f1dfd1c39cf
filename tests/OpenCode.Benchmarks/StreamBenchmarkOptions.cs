using System.Globalization;

namespace OpenCode.Benchmarks;

/// <summary>
/// The streaming mode (<c>--stream</c>): <c>--streams N</c> concurrent streams of the many-streams phase,
/// <c>--turns N</c> streamed turns per path of the one-stream phase, <c>--tokens N</c> per turn,
/// <c>--token-interval-ms N</c> between tokens, <c>--seconds N</c> per path of the many-streams phase,
/// <c>--warmup-seconds N</c> per path, <c>--out FILE</c>, <c>--isolate</c> (the gateway on CPU 0, the load generator and
/// the fake model on CPU 1).
/// </summary>
public sealed record StreamBenchmarkOptions(
    int Streams, int SequentialTurns, int Tokens, int TokenIntervalMilliseconds, int Seconds, int WarmupSeconds, string? OutputPath, bool Isolate)
{
    public static StreamBenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new(
            Number("--streams", 100), Number("--turns", 200), Number("--tokens", 20), Number("--token-interval-ms", 20),
            Number("--seconds", 10), Number("--warmup-seconds", 10), Value("--out"), args.Contains("--isolate"));
    }
}
