namespace OpenCode.Benchmarks;

public sealed record PhaseResult(LatencyRecorder Latencies, int Errors, double Throughput);
