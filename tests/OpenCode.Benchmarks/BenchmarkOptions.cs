using System.Globalization;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--turns N</c> (sequential), <c>--clients N</c>, <c>--seconds N</c> (each concurrent phase), <c>--rate N</c>
/// (turns/s the clients offer together in the paced phase), <c>--warmup-seconds N</c>, <c>--out FILE</c>,
/// <c>--isolate</c> (once everything runs, the gateway gets CPU 0 and the load generator and fake model CPU 1,
/// so the gateway's own cost is measured without the others competing for its core), <c>--gateway-output</c>.
/// </summary>
public sealed record BenchmarkOptions(
    int SequentialTurns, int Clients, int ConcurrentSeconds, int PacedRate, int WarmupSeconds,
    string? OutputPath, bool Isolate, bool ShowGatewayOutput)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new(
            Number("--turns", 2000), Number("--clients", 32), Number("--seconds", 10), Number("--rate", 1000),
            Number("--warmup-seconds", 20), Value("--out"), args.Contains("--isolate"), args.Contains("--gateway-output"));
    }
}
