using System.Diagnostics;

namespace OpenCode.Benchmarks;

/// <summary>The closed-loop phases the <c>--cluster</c> and <c>--history</c> modes run: one client, or many as fast as they go.</summary>
public static class LoadPhases
{
    public static async Task<PhaseResult> SequentialAsync(Func<Task<TurnResult>> turn, int count)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var result = await turn();
            errors += result.Ok ? 0 : 1;
            latencies.Add(result.Elapsed);
        }

        return new PhaseResult(latencies, errors, count / total.Elapsed.TotalSeconds);
    }

    public static async Task<PhaseResult> ConcurrentAsync(Func<Task<TurnResult>> turn, int clients, int seconds)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var result = await turn();
                if (!result.Ok)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies.Add(result.Elapsed);
            }
        }));
        return new PhaseResult(latencies, errors, latencies.Count / deadline.Elapsed.TotalSeconds);
    }

    /// <summary>Runs <paramref name="turn"/> for <paramref name="seconds"/>, one at a time, so the JIT settles and pools fill.</summary>
    public static async Task WarmUpAsync(Func<Task<TurnResult>> turn, int seconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await turn();
        }
    }
}
