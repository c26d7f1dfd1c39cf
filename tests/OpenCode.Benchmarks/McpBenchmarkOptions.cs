using System.Globalization;

namespace OpenCode.Benchmarks;

/// <summary>
/// The MCP mode (<c>--mcp</c>): <c>--callers N</c> concurrent callers, <c>--seconds N</c> per measured phase,
/// <c>--calls N</c> sequential calls of the one-caller phase, <c>--warmup-seconds N</c>, <c>--out FILE</c>.
/// </summary>
public sealed record McpBenchmarkOptions(int Callers, int Seconds, int SequentialCalls, int WarmupSeconds, string? OutputPath)
{
    public static McpBenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new(Number("--callers", 100), Number("--seconds", 10), Number("--calls", 2000), Number("--warmup-seconds", 10), Value("--out"));
    }
}
