using System.Diagnostics;

namespace OpenCode.Benchmarks;

/// <summary>Closed-loop load: each client sends its next request as soon as the last one answered.</summary>
public static class ConcurrentLoad
{
    public static async Task<PhaseResult> RunAsync(Func<Task<TurnResult>> request, int clients, int seconds)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var result = await request();
                if (!result.Ok)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies.Add(result.Elapsed);
            }
        }));
        return new PhaseResult(latencies, errors, latencies.Count / deadline.Elapsed.TotalSeconds);
    }

    public static async Task<PhaseResult> RunSequentialAsync(Func<Task<TurnResult>> request, int count)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var result = await request();
            errors += result.Ok ? 0 : 1;
            latencies.Add(result.Elapsed);
        }

        return new PhaseResult(latencies, errors, count / total.Elapsed.TotalSeconds);
    }
}
