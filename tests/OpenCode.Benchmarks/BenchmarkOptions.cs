using System.Globalization;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--turns N</c> (sequential), <c>--clients N</c>, <c>--seconds N</c> (concurrent phase), <c>--out FILE</c>,
/// <c>--gateway-cpus LIST</c> and <c>--model-cpus LIST</c> (taskset CPU lists: give the gateway cores of its own
/// so the load generator and the fake model do not compete with it), <c>--gateway-output</c>.
/// </summary>
public sealed record BenchmarkOptions(
    int SequentialTurns, int Clients, int ConcurrentSeconds, string? OutputPath, string? GatewayCpus, string? ModelCpus, bool ShowGatewayOutput)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new(
            Number("--turns", 2000), Number("--clients", 32), Number("--seconds", 10), Value("--out"),
            Value("--gateway-cpus"), Value("--model-cpus"), args.Contains("--gateway-output"));
    }
}
